import { expect, type Page, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import { deleteSandboxes } from './sandbox-helpers';

/** Every section of the console, as an owner sees it (the owner sees them all). */
const SECTIONS = ['', 'sandboxes', 'snapshots', 'templates', 'secrets', 'keys', 'members', 'usage', 'quotas', 'billing', 'audit', 'settings'];

/** How far the page scrolls sideways: 0 when nothing is wider than the window. */
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test('no console page scrolls sideways on a 390 px phone, and tables fit as cards or chosen columns', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const { personalSlug: org } = await signUpNewUser(page, 'phone');
  const res = await page.request.post('/api/v1/sandboxes', {
    headers: { 'x-warren-org': org },
    data: { metadata: { team: 'mobile-layout-check', purpose: 'a rather long metadata value' } },
  });
  expect(res.status()).toBe(201);
  const id = (await res.json()).id as string;
  try {
    for (const section of SECTIONS) {
      await page.goto(`/${org}${section ? `/${section}` : ''}`);
      await page.waitForLoadState('networkidle');
      expect(await sideways(page), `/${org}/${section} scrolls sideways`).toBe(0);
    }
    // The sandboxes table itself fits: no scroller inside it either.
    await page.goto(`/${org}/sandboxes`);
    const table = page.getByTestId('sandboxes-table');
    await expect(table).toBeVisible();
    const overflow = await table.evaluate((t) => (t.parentElement as HTMLElement).scrollWidth - (t.parentElement as HTMLElement).clientWidth);
    expect(overflow, 'the sandboxes table scrolls inside its card').toBe(0);
    for (const tab of ['overview', 'terminal', 'files', 'ports', 'snapshots']) {
      await page.goto(`/${org}/sandboxes/${id}?tab=${tab}`);
      await page.waitForLoadState('networkidle');
      expect(await sideways(page), `sandbox ${tab} tab scrolls sideways`).toBe(0);
    }
  } finally {
    await deleteSandboxes(page, org, [id]);
    await context.close();
  }
});

test('on a 1440 px screen the content uses the width', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signUpNewUser(page, 'wide');
  const width = await page.getByRole('main').locator('> div').first().evaluate((d) => d.getBoundingClientRect().width);
  // The side bar takes 224 px and the padding 80: the rest is the content's.
  expect(width).toBeGreaterThan(1100);
  await context.close();
});
