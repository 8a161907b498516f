import { type Browser, expect, type Page } from '@playwright/test';

/** Shared steps for the console's end-to-end tests. Every test makes its own users, so tests do not depend on each other. */
export const PASSWORD = 'correct-horse-battery-staple';
export const ADMIN = { email: 'admin@warren.test', password: 'admin-password-e2e' };

let counter = 0;
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}${counter}@warren.test`;
}

/** An org's home page (/<slug>), where signing in and creating an org land. */
export const isOrgHome = (url: URL) => /^\/[a-z0-9-]+$/.test(url.pathname) && !/^\/sign-(in|up|out)$/.test(url.pathname);

/** The org slug of a console URL such as /acme/members. */
export function slugOf(page: Page): string {
  const slug = new URL(page.url()).pathname.split('/')[1];
  if (!slug) throw new Error(`not a console URL: ${page.url()}`);
  return slug;
}

/** Fills the sign-up form on the current page (which must be /sign-up). */
export async function fillSignUp(page: Page, { email, name }: { email: string; name: string }) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/**
 * A brand-new account through the sign-up page; resolves once it has landed on its personal org's
 * home and opened the sandboxes list, where most specs start.
 */
export async function signUpNewUser(page: Page, tag: string) {
  const email = uniqueEmail(tag);
  await page.goto('/sign-up');
  await fillSignUp(page, { email, name: `${tag} person` });
  await page.waitForURL(isOrgHome);
  const personalSlug = slugOf(page);
  await page.goto(`/${personalSlug}/sandboxes`);
  return { email, personalSlug };
}

export async function signIn(page: Page, email: string, password: string) {
  // A page left open with stale cookies may be redirecting itself to sign-in at this very
  // moment (its queries get 401): that aborts our navigation, or lands later on its own
  // /sign-in?callbackUrl=… so the sign-in goes there instead of the org home (seen once). Leave
  // it for a blank page first, whose load ends its scripts, and retry until that settles.
  await expect(async () => {
    await page.goto('about:blank');
    await page.goto('/sign-in');
  }).toPass({ timeout: 15_000 });
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Creates an org from the header's org switcher and returns its slug once the console is in it. */
export async function createOrgFromSwitcher(page: Page, name: string): Promise<string> {
  const before = page.url();
  await page.getByTestId('org-switcher').click();
  await page.getByRole('menuitem', { name: 'Create organization' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create organization' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('button', { name: 'Create organization' }).click();
  await page.waitForURL((url) => url.href !== before && isOrgHome(url));
  await expect(page.getByTestId('org-switcher')).toContainText(name);
  return slugOf(page);
}

export async function expectNotFound(page: Page, path: string) {
  const res = await page.goto(path);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}
