import { type Browser, expect, type Page, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { newPage, PASSWORD, signIn, signUpNewUser } from './helpers';

/**
 * Account settings in Chromium: two-factor sign-in for real (the code computed with otpauth, as
 * an authenticator app would), recovery codes, changing the password, the sessions list with
 * "sign out elsewhere", and an org that requires two-factor of its members.
 */

/** Turns two-factor on from the account page; returns the app's TOTP and the recovery codes. */
async function enableTwoFactor(page: Page, at = '/account') {
  await page.goto(at);
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await expect(page.getByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  await page.getByLabel('Code from the app').fill('123456' === totp.generate() ? '654321' : '123456');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('That code is not valid')).toBeVisible();
  await page.getByLabel('Code from the app').fill(totp.generate());
  await page.getByRole('button', { name: 'Turn on' }).click();
  const codes = (await page.getByTestId('recovery-codes').locator('pre').textContent())!.trim().split('\n');
  expect(codes).toHaveLength(10);
  return { totp, codes };
}

/** A code from the next 30 s step: accepted (±1 step) and never the one just used. */
const nextCode = (totp: OTPAuth.TOTP) => totp.generate({ timestamp: Date.now() + 30_000 });

async function signOut(page: Page) {
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(/\/sign-in/);
}

async function freshBrowserSignIn(browser: Browser, email: string, password = PASSWORD) {
  const page = await newPage(browser);
  await signIn(page, email, password);
  return page;
}

test('two-factor sign-in: set up with the QR secret, then a code (or a recovery code) after the password', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const { email, personalSlug } = await signUpNewUser(page, 'totp');
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Account settings' }).click();
  await expect(page).toHaveURL(/\/account$/);
  const { totp, codes } = await enableTwoFactor(page);
  await page.getByRole('button', { name: 'I saved them' }).click();
  await expect(page.getByText('10 recovery codes left.')).toBeVisible();

  await page.goto(`/${personalSlug}/sandboxes`);
  await signOut(page);
  await signIn(page, email, PASSWORD);
  // The password alone is not enough now.
  await expect(page.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible();
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('form-error')).toContainText('That code is not valid');
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('Authentication code').fill(nextCode(totp));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(new RegExp(`/${personalSlug}(/sandboxes)?$`));

  // A wrong password never reaches the code step (nothing says the account has two-factor).
  const other = await newPage(browser);
  await signIn(other, email, 'not-the-password');
  await expect(other.getByTestId('form-error')).toContainText('Wrong e-mail or password');
  await expect(other.getByLabel('Authentication code')).toHaveCount(0);
  // A recovery code works once.
  await signIn(other, email, PASSWORD);
  await other.getByLabel('Authentication code').fill(codes[0]!);
  await other.getByRole('button', { name: 'Verify' }).click();
  await other.waitForURL(new RegExp(`/${personalSlug}(/sandboxes)?$`));
  await other.goto('/account');
  await expect(other.getByText('9 recovery codes left.')).toBeVisible();
  await other.context().close();
});

test('change password signs out every other browser; sessions list signs out elsewhere', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const { email, personalSlug } = await signUpNewUser(page, 'sessions');
  const laptop = await freshBrowserSignIn(browser, email);
  await laptop.waitForURL(new RegExp(`/${personalSlug}(/|$)`));

  await page.goto('/account');
  const rows = page.getByTestId('session-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'This browser' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Sign out elsewhere' }).click();
  await page.getByRole('alertdialog', { name: 'Sign out 1 other session?' }).getByRole('button', { name: 'Sign out elsewhere' }).click();
  await expect(rows).toHaveCount(1);
  // The open page may already be on its way to sign-in by itself (its queries got 401).
  await laptop.goto(`/${personalSlug}/sandboxes`).catch(() => undefined);
  await expect(laptop).toHaveURL(/\/sign-in/);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Account settings' })).toBeVisible(); // this one stays

  const phone = await freshBrowserSignIn(browser, email);
  await phone.waitForURL(new RegExp(`/${personalSlug}(/|$)`));
  await page.getByLabel('Current password').fill('wrong-password');
  await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
  await page.getByLabel('Confirm new password').fill('a-brand-new-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('The current password is not right')).toBeVisible();
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed; 1 other session signed out')).toBeVisible();
  await phone.goto(`/${personalSlug}/sandboxes`).catch(() => undefined);
  await expect(phone).toHaveURL(/\/sign-in/);
  await signIn(phone, email, PASSWORD);
  await expect(phone.getByTestId('form-error')).toContainText('Wrong e-mail or password');
  await signIn(phone, email, 'a-brand-new-password');
  await phone.waitForURL(new RegExp(`/${personalSlug}(/sandboxes)?$`));
  await page.goto(`/${personalSlug}/sandboxes`);
  await expect(page).toHaveURL(new RegExp(`/${personalSlug}/sandboxes$`));
});

test('an owner requires two-factor: a member without it is sent to set it up before using the org', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const { personalSlug: org } = await signUpNewUser(page, 'req2fa');
  await page.goto(`/${org}/settings`);
  await page.getByRole('button', { name: 'Require for all members' }).click();
  await expect(page.getByTestId('form-error')).toContainText('Turn on two-factor sign-in for your own account first');
  await enableTwoFactor(page);
  await page.goto(`/${org}/settings`);
  await page.getByRole('button', { name: 'Require for all members' }).click();
  await expect(page.getByRole('button', { name: 'Stop requiring' })).toBeVisible();

  const invite = await page.request.post('/api/v1/invitations', { headers: { 'x-warren-org': org }, data: { role: 'developer' } });
  const { token } = await invite.json();
  const member = await newPage(browser);
  await signUpNewUser(member, 'req2fa-member');
  expect((await member.request.post('/api/invitations/accept', { data: { token } })).ok()).toBe(true);
  await member.goto(`/${org}/sandboxes`);
  await expect(member).toHaveURL(new RegExp(`/account\\?twoFactorFor=${org}$`));
  await expect(member.getByTestId('two-factor-required')).toContainText(`The organization ${org} requires two-factor sign-in`);
  // The API through the member's session says the same.
  const api = await member.request.get('/api/v1/sandboxes', { headers: { 'x-warren-org': org } });
  expect(api.status()).toBe(403);
  expect((await api.json()).error.code).toBe('two_factor_required');

  await enableTwoFactor(member, `/account?twoFactorFor=${org}`);
  await member.getByRole('button', { name: 'I saved them, continue' }).click();
  await member.waitForURL(new RegExp(`/${org}(/sandboxes)?$`));
  await member.goto(`/${org}/sandboxes`);
  await expect(member.getByRole('heading', { name: 'Sandboxes', exact: true })).toBeVisible();
  await member.context().close();
});
