import { expect, test } from '@playwright/test';
import { ADMIN, createOrgFromSwitcher, isOrgHome, PASSWORD, signIn, signUpNewUser, uniqueEmail } from './helpers';
import { linkPath, mailTo, waitForMail } from './mailbox';

/**
 * Mail end to end: the console delivers by SMTP to a real server on loopback (e2e/smtp-sink.ts)
 * and these tests read what arrived, as the recipient would.
 */
test('forgot password: the e-mailed link sets a new password, signs out the other browser, and works once', async ({ page, browser }) => {
  // `page` stays signed in from before the reset; the reset happens in another browser.
  const { email, personalSlug } = await signUpNewUser(page, 'forgetful');
  const anonymous = await browser.newContext();
  const visitor = await anonymous.newPage();

  await visitor.goto('/sign-in');
  await visitor.getByRole('link', { name: 'Forgot password?' }).click();
  await visitor.waitForURL(/\/forgot-password$/);
  await visitor.getByLabel('E-mail').fill(email);
  await visitor.getByRole('button', { name: 'Send reset link' }).click();
  await expect(visitor.getByTestId('reset-requested')).toHaveText(
    `If an account uses ${email}, we sent it a link to choose a new password. The link works for 30 minutes.`,
  );

  const mail = await waitForMail(email);
  expect(mail.subject).toBe('Reset your Warren password');
  expect(mail.headers.get('from')).toBe('Warren E2E <warren@warren.test>');
  const resetPath = linkPath(mail, '/reset-password/');

  await visitor.goto(resetPath);
  await expect(visitor.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await visitor.getByLabel('New password').fill('a-new-password-e2e');
  await visitor.getByLabel('Confirm password').fill('a-different-one');
  await visitor.getByRole('button', { name: 'Set new password' }).click();
  await expect(visitor.getByText('The two passwords differ')).toBeVisible();
  await visitor.getByLabel('Confirm password').fill('a-new-password-e2e');
  await visitor.getByRole('button', { name: 'Set new password' }).click();
  await visitor.waitForURL(/\/sign-in\?reset=1$/);
  await expect(visitor.getByTestId('sign-in-notice')).toHaveText('Your password was changed. Sign in with the new one.');

  // The browser that was signed in before the reset is signed out: the server sends its next
  // page request to sign-in, and the page it had open ends up there too.
  const stale = await page.request.get(`/${personalSlug}/members`, { maxRedirects: 0 });
  expect(stale.status()).toBe(307);
  expect(stale.headers().location).toMatch(/^\/sign-in\?callbackUrl=/);
  await page.reload();
  await page.waitForURL(/\/sign-in/);

  await signIn(visitor, email, PASSWORD);
  await expect(visitor.getByTestId('form-error')).toHaveText('Wrong e-mail or password.');
  await visitor.getByLabel('Password').fill('a-new-password-e2e');
  await visitor.getByRole('button', { name: 'Sign in' }).click();
  await visitor.waitForURL(new RegExp(`/${personalSlug}$`));

  // The link is used up.
  await visitor.goto(resetPath);
  await expect(visitor.getByRole('heading', { name: 'This reset link cannot be used' })).toBeVisible();
  await anonymous.close();
});

test('an unknown address gets the same answer and no mail', async ({ page, browser }) => {
  const known = (await signUpNewUser(page, 'known')).email;
  const anonymous = await browser.newContext();
  const visitor = await anonymous.newPage();
  const unknown = uniqueEmail('nobody');
  const answers: string[] = [];
  for (const email of [unknown, known]) {
    await visitor.goto('/forgot-password');
    await visitor.getByLabel('E-mail').fill(email);
    await visitor.getByRole('button', { name: 'Send reset link' }).click();
    answers.push(((await visitor.getByTestId('reset-requested').textContent()) ?? '').replace(email, '<email>'));
  }
  await anonymous.close();
  expect(answers[0]).toBe(answers[1]);
  // The known address's mail was asked for after the unknown one's: once it is here, nothing
  // else is coming.
  await waitForMail(known);
  expect(mailTo(unknown)).toEqual([]);
});

test('an invitation by e-mail arrives with its link, and platform admins see it in the outbox', async ({ page, browser }) => {
  await signUpNewUser(page, 'inviter');
  const teamName = `Mail Team ${Date.now().toString(36)}`;
  await createOrgFromSwitcher(page, teamName);
  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('button', { name: 'Invite' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite a member' });
  const invitee = uniqueEmail('invitee');
  await dialog.getByLabel('E-mail').fill(invitee);
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const shown = page.getByRole('dialog', { name: 'Invitation e-mailed' });
  await expect(shown.getByTestId('invitation-mail-status')).toHaveText(`We e-mailed the link to ${invitee}.`);
  const shownUrl = (await shown.getByTestId('copy-field-value').textContent()) ?? '';

  const mail = await waitForMail(invitee);
  expect(mail.subject).toBe(`inviter person invited you to ${teamName} on Warren`);
  const invitePath = linkPath(mail, '/invite/');
  expect(new URL(shownUrl).pathname).toBe(invitePath);
  const visitor = await browser.newContext();
  const visitorPage = await visitor.newPage();
  await visitorPage.goto(invitePath);
  await expect(visitorPage.getByTestId('invite-org-name')).toHaveText(teamName);
  await visitor.close();

  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, ADMIN.email, ADMIN.password);
  await adminPage.waitForURL(isOrgHome);
  await adminPage.goto('/admin');
  await adminPage.getByRole('navigation', { name: 'Platform admin' }).getByRole('link', { name: 'Mail' }).click();
  await adminPage.waitForURL(/\/admin\/mail$/);
  await expect(adminPage.getByTestId('mail-delivery')).toContainText('Delivering by SMTP through 127.0.0.1:');
  const row = adminPage.getByTestId('admin-mail-table').getByRole('row').filter({ hasText: invitee });
  await expect(row).toContainText('invitation');
  await expect(row).toContainText('sent');
  await row.getByRole('button').click();
  const message = adminPage.getByTestId('admin-mail-message');
  await expect(message).toContainText('1 attempt');
  // Delivered, so the stored copy no longer holds a working link.
  await expect(adminPage.getByTestId('admin-mail-text')).toContainText('[link removed after delivery]');
  await expect(adminPage.getByTestId('admin-mail-text')).not.toContainText(invitePath);
  await admin.close();
});
