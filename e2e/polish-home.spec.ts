import { expect, test } from '@playwright/test';
import { isOrgHome, PASSWORD, signIn, signUpNewUser, slugOf } from './helpers';

/** What a new team sees first: the org home, the create dialog's guidance, and the ways out of dead ends. */
test('signing in lands on the org home: running sandboxes, this month, activity and a quick start', async ({ page }) => {
  const { email, personalSlug: org } = await signUpNewUser(page, 'home');
  await page.context().clearCookies();
  await signIn(page, email, PASSWORD);
  await page.waitForURL(isOrgHome);
  expect(slugOf(page)).toBe(org);

  await expect(page.getByRole('link', { name: 'Home', exact: true })).toHaveAttribute('aria-current', 'page');
  const running = page.getByTestId('home-running');
  await expect(running.getByText('Nothing running')).toBeVisible();
  await expect(running.getByRole('button', { name: 'Create sandbox' })).toBeVisible();

  const month = page.getByTestId('home-month');
  await expect(month.getByTestId('home-cost')).toHaveText('$0.00');
  await expect(month.getByTestId('home-quotas')).toContainText('Concurrent sandboxes');
  await expect(month.getByTestId('home-quotas')).toContainText(/0 of \d+/);

  await expect(page.getByTestId('home-activity')).toContainText('Signed up');

  const start = page.getByTestId('getting-started');
  const origin = new URL(page.url()).origin;
  await expect(start).toContainText(`export WARREN_API_URL=${origin}`);
  await expect(start.getByRole('button', { name: 'Copy environment' })).toBeVisible();
  await start.getByRole('tab', { name: 'curl' }).click();
  await expect(start.getByRole('tabpanel')).toContainText(`${origin}/api/v1/sandboxes`);
  await expect(start.getByRole('button', { name: 'Copy curl example' })).toBeVisible();

  // The key step makes a real key, shown once with its copy button.
  await start.getByRole('button', { name: 'Create API key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await dialog.getByLabel('Name').fill('quick start');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'API key quick start' });
  await expect(created.getByTestId('copy-field-value')).toHaveText(/^wrn_/);
  await expect(created.getByRole('button', { name: 'Copy' })).toBeVisible();
});

test('the create dialog speaks in minutes and hours, shows the maxima and checks them before sending', async ({ page }) => {
  const { personalSlug: org } = await signUpNewUser(page, 'create');
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/sandboxes')) posts.push(r.url());
  });
  await page.getByRole('button', { name: 'Create sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create sandbox' });
  await expect(dialog.getByText(/Stops the sandbox this long after creation \(its files are kept\)/)).toBeVisible();
  await expect(dialog.getByText(/deleted/i)).toHaveCount(0);
  const quotas = await (await page.request.get('/api/v1/quotas', { headers: { 'x-warren-org': org } })).json();
  const maxCpu = quotas.quotas.find((q: { name: string }) => q.name === 'maxCpu').limit;
  await expect(dialog.getByText(`Up to ${maxCpu}.`)).toBeVisible();
  await expect(dialog.getByLabel('Timeout unit', { exact: true })).toHaveValue('minutes');

  await dialog.getByLabel('vCPU').fill(String(maxCpu + 1));
  await dialog.getByLabel('Timeout', { exact: true }).fill('400');
  await dialog.getByLabel('Timeout unit', { exact: true }).selectOption('days');
  await dialog.getByRole('button', { name: 'Create sandbox' }).click();
  await expect(dialog.getByText(`Your organization allows at most ${maxCpu} vCPU per sandbox`)).toBeVisible();
  await expect(dialog.getByText(/Your organization allows at most \d+ (day|hour)/)).toBeVisible();
  expect(posts).toEqual([]);
});

test('a missing sandbox and a missing page each offer a way back', async ({ page }) => {
  const { personalSlug: org } = await signUpNewUser(page, 'lost');
  await page.goto(`/${org}/sandboxes/doesnotexist1`);
  await expect(page.getByRole('heading', { name: 'This sandbox does not exist' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to sandboxes' }).click();
  await page.waitForURL(new RegExp(`/${org}/sandboxes$`));

  // Not found inside the org (a malformed sandbox id): the console's shell stays, with links out.
  await page.goto(`/${org}/sandboxes/Not-An-Id`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: /^Go to / }).click();
  await page.waitForURL(isOrgHome);

  // Outside any org: the root page offers the way back to the console.
  await page.goto(`/${org}/no-such-section`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the console' }).click();
  await page.waitForURL(isOrgHome);
});

test('public assets: favicon, app icons, manifest and the social preview', async ({ page, request }) => {
  for (const [path, type] of [
    ['/favicon.ico', 'image/'],
    ['/favicon.svg', 'image/svg+xml'],
    ['/apple-touch-icon.png', 'image/png'],
    ['/icon-192.png', 'image/png'],
    ['/icon-512.png', 'image/png'],
    ['/og-image.png', 'image/png'],
    ['/manifest.webmanifest', 'application/manifest+json'],
  ] as const) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(200);
    expect(res.headers()['content-type'], path).toContain(type);
  }
  await page.goto('/sign-in');
  await expect(page.locator('link[rel="icon"][href="/favicon.svg"]')).toHaveCount(1);
  await expect(page.locator('meta[property="og:image"]')).toHaveAttribute('content', /\/og-image\.png$/);
});

test('dark mode and reduced motion follow the system settings', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'dark', reducedMotion: 'reduce' });
  const page = await context.newPage();
  await signUpNewUser(page, 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const card = await page.evaluate(() => getComputedStyle(document.querySelector('main section') as Element).backgroundColor);
  const text = await page.evaluate(() => getComputedStyle(document.querySelector('h1') as Element).color);
  const lum = (c: string) => {
    const [r, g, b] = (c.match(/[\d.]+/g) ?? []).map(Number);
    return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
  };
  expect(lum(bg)).toBeLessThan(0.1);
  expect(lum(card)).toBeLessThan(0.15);
  expect(lum(text)).toBeGreaterThan(0.8);
  // No element keeps a transition or a finite animation of any length (buttons and links fade
  // their colours by default; a spinner may keep turning, slowly).
  const moving = await page.evaluate(() =>
    [...document.querySelectorAll('*')]
      .map((el) => ({ el, s: getComputedStyle(el) }))
      .filter(
        ({ s }) =>
          s.transitionDuration.split(',').some((d) => Number.parseFloat(d) > 0.001) ||
          (s.animationName !== 'none' && s.animationIterationCount !== 'infinite' && Number.parseFloat(s.animationDuration) > 0.001),
      )
      .map(({ el }) => `${el.tagName.toLowerCase()}.${el.getAttribute('class')}`),
  );
  expect(moving).toEqual([]);
  await context.close();
});
