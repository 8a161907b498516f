import { expect, test } from '@playwright/test';
import { createOrgFromSwitcher, expectNotFound, fillSignUp, signUpNewUser, uniqueEmail } from './helpers';

/** Every org-scoped console page; each must be a 404 for someone outside the org. */
const SECTIONS = [
  '',
  'sandboxes',
  'snapshots',
  'templates',
  'secrets',
  'keys',
  'members',
  'usage',
  'quotas',
  'billing',
  'audit',
  'settings',
];

/**
 * The scenario end to end: an owner creates a team org, invites a teammate by link
 * (accepted in a second browser), changes their role, and the teammate's view follows the role;
 * neither can see the other's personal org.
 */
test('invite by link, accept in a second browser, change the role, and the viewer sees only what viewers may', async ({
  page,
  browser,
}) => {
  // Two browsers and a dozen steps: past the default minute on a loaded machine.
  test.setTimeout(180_000);
  const owner = await signUpNewUser(page, 'owner');
  const teamName = `Team ${Date.now().toString(36)}`;

  await test.step('creating an org shows validation errors inline, then moves into the new org', async () => {
    await page.getByTestId('org-switcher').click();
    await page.getByRole('menuitem', { name: 'Create organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create organization' });
    await dialog.getByLabel('Name', { exact: true }).fill('<script>alert(1)</script>');
    await dialog.getByRole('button', { name: 'Create organization' }).click();
    await expect(dialog.getByText('Use letters, digits, spaces')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });
  const teamSlug = await createOrgFromSwitcher(page, teamName);

  let inviteUrl = '';
  await test.step('the owner creates an invitation link', async () => {
    await page.getByRole('link', { name: 'Members' }).click();
    await expect(page.getByTestId(`member-${owner.email}`)).toBeVisible();
    await page.getByRole('button', { name: 'Invite' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a member' });
    await expect(dialog.getByLabel('Role')).toHaveValue('developer');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const shown = page.getByRole('dialog', { name: 'Share this invitation link' });
    inviteUrl = (await shown.getByTestId('copy-field-value').textContent()) ?? '';
    expect(inviteUrl).toMatch(/\/invite\/[\w-]+$/);
    await shown.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('invitations-table').getByRole('row')).toHaveCount(2);
  });

  const member = await browser.newContext();
  const memberPage = await member.newPage();
  const memberEmail = uniqueEmail('member');
  await test.step('a new person opens the link, signs up through it and accepts', async () => {
    await memberPage.goto(new URL(inviteUrl).pathname);
    await expect(memberPage.getByTestId('invite-org-name')).toHaveText(teamName);
    await memberPage.getByRole('link', { name: 'Create an account' }).click();
    await fillSignUp(memberPage, { email: memberEmail, name: 'New Teammate' });
    await memberPage.waitForURL(/\/invite\//);
    await memberPage.getByRole('button', { name: 'Accept invitation' }).click();
    await memberPage.waitForURL(new RegExp(`/${teamSlug}$`));
    await expect(memberPage.getByTestId('current-role')).toHaveText('developer');
  });

  await test.step('the invitation is used up and the owner makes the teammate a viewer', async () => {
    await page.reload();
    await expect(page.getByText('No pending invitations')).toBeVisible();
    const role = page.getByLabel(`Role of ${memberEmail}`);
    await expect(role).toHaveValue('developer');
    await role.selectOption('viewer');
    await expect(page.getByText(`${memberEmail} is now Viewer`)).toBeVisible();
    await page.reload();
    await expect(page.getByLabel(`Role of ${memberEmail}`)).toHaveValue('viewer');
  });

  await test.step('the viewer cannot see or use admin-only actions', async () => {
    await memberPage.goto(`/${teamSlug}/members`);
    await expect(memberPage.getByTestId(`member-${owner.email}`)).toBeVisible();
    await expect(memberPage.getByRole('button', { name: 'Invite' })).toHaveCount(0);
    await expect(memberPage.getByRole('combobox', { name: /^Role of / })).toHaveCount(0); // the role filter above the list is for everyone
    await expect(memberPage.getByRole('button', { name: /Remove/ })).toHaveCount(0);
    await expect(
      memberPage.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'API keys' }),
    ).toHaveCount(0);
    for (const section of ['keys', 'audit', 'secrets', 'billing'])
      await expectNotFound(memberPage, `/${teamSlug}/${section}`);
    await memberPage.goto(`/${teamSlug}/settings`);
    await expect(memberPage.getByLabel('Name', { exact: true })).toBeDisabled();
    await expect(memberPage.getByRole('button', { name: 'Delete organization' })).toHaveCount(0);
    // The API refuses too, whatever the page shows.
    const res = await memberPage.request.post('/api/v1/invitations', {
      headers: { 'x-warren-org': teamSlug },
      data: { role: 'admin' },
    });
    expect(res.status()).toBe(403);
  });

  await test.step("a member of one org gets a 404 on another org's pages", async () => {
    const orgs = await (await memberPage.request.get('/api/orgs')).json();
    const memberPersonal = orgs.orgs.find((o: { personal: boolean }) => o.personal).slug as string;
    for (const section of SECTIONS) await expectNotFound(page, `/${memberPersonal}/${section}`);
    await expectNotFound(memberPage, `/${owner.personalSlug}/sandboxes`);
  });

  await test.step('the owner removes the teammate, who then gets a 404 for the org', async () => {
    await page.goto(`/${teamSlug}/members`);
    await page.getByRole('button', { name: `Remove ${memberEmail}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove member' }).click();
    await expect(page.getByTestId(`member-${memberEmail}`)).toHaveCount(0);
    await expectNotFound(memberPage, `/${teamSlug}/members`);
  });

  await test.step('the org switcher moves to the same section of another org', async () => {
    await page.getByTestId('org-switcher').click();
    await page.getByRole('menuitem', { name: /owner person's workspace/ }).click();
    await page.waitForURL(new RegExp(`/${owner.personalSlug}/members$`));
  });

  await member.close();
});
