import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { ADMIN, newPage, signIn, signUpNewUser } from './helpers';
import { deleteSandboxes } from './sandbox-helpers';

/**
 * axe-core on every console page: no serious or critical violation (WCAG 2 A/AA rules and
 * best practices). axe is injected from node_modules (@axe-core/playwright needs Node 22).
 * Each page is checked once it has settled, with data in it where a page has data.
 */
const AXE = path.resolve('node_modules/axe-core/axe.min.js');

type Violation = { id: string; impact: string | null; help: string; nodes: Array<{ target: string[]; failureSummary?: string }> };

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations: Violation[] = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global injected above
    const axe = (window as any).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function check(page: Page, url: string, ready: (p: Page) => Promise<void>) {
  await page.goto(url);
  await ready(page);
  // Skeletons and spinners gone: the page as a person reads it.
  await expect(page.locator('[aria-busy="true"], .animate-pulse')).toHaveCount(0, { timeout: 15_000 });
  const problems = await seriousViolations(page);
  if (problems.length) console.log(`${url}\n  ${problems.join('\n  ')}`);
  return { url, problems };
}

const heading = (name: string | RegExp) => async (p: Page) => {
  await expect(p.getByRole('heading', { name, level: 1 })).toBeVisible();
};

test('no serious or critical axe violations on any console page', async ({ page, browser }) => {
  test.setTimeout(480_000);
  const results: Array<{ url: string; problems: string[] }> = [];
  for (const [url, name] of [
    ['/sign-in', 'Sign in'],
    ['/sign-up', 'Create your account'],
    ['/forgot-password', /password/i],
  ] as const) {
    results.push(await check(page, url, heading(name)));
  }

  const { personalSlug: org } = await signUpNewUser(page, 'axe');
  const headers = { 'x-warren-org': org };
  const created = await page.request.post('/api/v1/sandboxes', { headers, data: { name: 'axe-box', metadata: { team: 'a11y' } } });
  expect(created.status()).toBe(201);
  const id: string = (await created.json()).id;
  await page.request.post('/api/v1/api-keys', { headers, data: { name: 'axe key' } });
  try {
    const pages: Array<[string, string | RegExp]> = [
      [`/${org}`, /.+/], // the org home: its heading is the org's name
      [`/${org}/sandboxes`, 'Sandboxes'],
      [`/${org}/snapshots`, 'Snapshots'],
      [`/${org}/templates`, 'Templates'],
      [`/${org}/secrets`, 'Secrets'],
      [`/${org}/keys`, 'API keys'],
      [`/${org}/members`, 'Members'],
      [`/${org}/usage`, 'Usage'],
      [`/${org}/quotas`, 'Quotas'],
      [`/${org}/billing`, 'Billing'],
      [`/${org}/audit`, 'Audit log'],
      [`/${org}/settings`, 'Settings'],
      ['/account', 'Account settings'],
    ];
    for (const [url, name] of pages) results.push(await check(page, url, heading(name)));
    results.push(
      await check(page, `/${org}/sandboxes/${id}`, async (p) => {
        await expect(p.getByRole('tab', { name: 'Overview' })).toBeVisible();
      }),
    );

    const admin = await newPage(browser);
    await signIn(admin, ADMIN.email, ADMIN.password);
    await admin.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    for (const [url, name] of [
      ['/admin', /organizations/i],
      ['/admin/orgs', /organizations/i],
      ['/admin/users', /users/i],
      ['/admin/sandboxes', /sandboxes/i],
      ['/admin/runners', /runners/i],
      ['/admin/usage', /usage/i],
      ['/admin/plans', /plans/i],
      ['/admin/revenue', /revenue/i],
      ['/admin/mail', /mail/i],
    ] as const) {
      results.push(await check(admin, url, heading(name)));
    }
    await admin.context().close();
  } finally {
    await deleteSandboxes(page, org, [id]);
  }
  const failing = results.filter((r) => r.problems.length);
  expect(failing, failing.map((r) => `${r.url}\n  ${r.problems.join('\n  ')}`).join('\n')).toEqual([]);
});
