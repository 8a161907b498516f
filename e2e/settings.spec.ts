import { expect, test } from '@playwright/test';
import { createOrgFromSwitcher, expectNotFound, signUpNewUser } from './helpers';

test('rename an org and its URL, refuse a bad URL name inline, delete it with the typed slug, and the last owner cannot leave', async ({
  page,
}) => {
  const { personalSlug } = await signUpNewUser(page, 'settings');

  await test.step('the last owner cannot leave', async () => {
    await page.goto(`/${personalSlug}/settings`);
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: 'Leave organization' }).click();
    await expect(dialog.getByTestId('form-error')).toContainText('last owner');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });

  const slug = await createOrgFromSwitcher(page, 'Renamable');
  const newSlug = `renamed-${Date.now().toString(36)}`;

  await test.step('a bad URL name is refused inline; a good one moves the console', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const urlName = page.getByLabel('URL name');
    await urlName.fill('Bad Slug!');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Use 3–40 lowercase letters')).toBeVisible();
    await page.getByLabel('Name', { exact: true }).fill('Renamed Co');
    await urlName.fill(newSlug);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`/${newSlug}/settings$`));
    await expect(page.getByTestId('org-switcher')).toContainText('Renamed Co');
    await expectNotFound(page, `/${slug}/settings`);
  });

  await test.step('deleting needs the slug typed, then lands in the remaining org', async () => {
    await page.goto(`/${newSlug}/settings`);
    await page.getByRole('button', { name: 'Delete organization' }).click();
    const dialog = page.getByRole('alertdialog');
    const confirm = dialog.getByRole('button', { name: 'Delete organization' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type ${newSlug} to confirm`).fill(newSlug);
    await confirm.click();
    await page.waitForURL(new RegExp(`/${personalSlug}$`));
    await expectNotFound(page, `/${newSlug}/members`);
  });
});
