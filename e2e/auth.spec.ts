import { expect, test } from '@playwright/test';
import { PASSWORD, signIn, signUpNewUser } from './helpers';

test('sign-up lands in the personal org and the session survives a reload and sign-out/sign-in', async ({ page }) => {
  const { email, personalSlug } = await signUpNewUser(page, 'solo');
  await expect(page.getByRole('heading', { name: 'Sandboxes', exact: true })).toBeVisible();
  await expect(page.getByTestId('org-switcher')).toContainText('workspace');

  await page.reload();
  await expect(page).toHaveURL(new RegExp(`/${personalSlug}/sandboxes$`));
  await expect(page.getByTestId('user-menu')).toBeVisible();

  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(/\/sign-in/);

  // Signed out, a console page sends you to sign in and back again.
  await page.goto(`/${personalSlug}/members`);
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(new RegExp(`/${personalSlug}$|/${personalSlug}/`));
});

test('the sign-in form says when the password is wrong, then when there were too many attempts', async ({ page }) => {
  const { email } = await signUpNewUser(page, 'guessed');
  await page.context().clearCookies();

  await signIn(page, email, 'not-the-password');
  await expect(page.getByTestId('form-error')).toHaveText('Wrong e-mail or password.');
  await expect(page).toHaveURL(/\/sign-in/);
  // The e-mail stays filled in; the password does not.
  await expect(page.getByLabel('E-mail')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toHaveValue('');

  // Each attempt waits for the server's answer, so the next one is typed into a settled form.
  const attempt = async (password: string) => {
    await page.getByLabel('Password').fill(password);
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    // The form clears the password once React has applied the answer: only then type again.
    await expect(page.getByLabel('Password')).toHaveValue('');
  };
  for (let i = 0; i < 4; i++) await attempt(`wrong-${i}`);
  await expect(page.getByTestId('form-error')).toHaveText('Wrong e-mail or password.');
  // Even the right password is refused while the limit holds.
  await attempt(PASSWORD);
  await expect(page.getByTestId('form-error')).toContainText(
    /Too many failed sign-in attempts. Try again in \d+ minutes/,
  );
});

test('sign-up shows validation errors inline', async ({ page }) => {
  await page.goto('/sign-up');
  await page.getByLabel('E-mail').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('At least 8 characters', { exact: true })).toBeVisible();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Enter a valid e-mail address')).toBeVisible();
  await expect(page).toHaveURL(/\/sign-up/);
});
