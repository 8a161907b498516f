import { expect, test } from '@playwright/test';
import { ADMIN, expectNotFound, isOrgHome, signIn, signUpNewUser } from './helpers';

test('platform admins see every org with member counts; everyone else gets a 404', async ({ page, browser }) => {
  const { personalSlug } = await signUpNewUser(page, 'plain');
  await expectNotFound(page, '/admin');
  expect((await page.request.get('/api/admin/orgs')).status()).toBe(404);

  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, ADMIN.email, ADMIN.password);
  await adminPage.waitForURL(isOrgHome);
  await adminPage.getByTestId('user-menu').click();
  await adminPage.getByRole('menuitem', { name: 'Platform admin' }).click();
  await adminPage.waitForURL(/\/admin$/);

  const table = adminPage.getByTestId('admin-orgs-table');
  await expect(table.getByTestId(`admin-org-${personalSlug}`)).toContainText('1');
  await adminPage.getByLabel('Search organizations').fill(personalSlug);
  await expect(table.getByRole('row')).toHaveCount(2);
  await adminPage.getByLabel('Search organizations').fill('no-such-org-anywhere');
  await expect(adminPage.getByText('No organization matches')).toBeVisible();

  // 26 matching orgs: one full page of 25, then one more on the next.
  const tag = `pager${Date.now().toString(36)}`;
  for (let i = 0; i < 26; i++) {
    const res = await adminPage.request.post('/api/orgs', { data: { name: `${tag} ${i}` } });
    expect(res.status()).toBe(201);
  }
  await adminPage.getByLabel('Search organizations').fill(tag);
  await expect(table.getByRole('row')).toHaveCount(26);
  await adminPage.getByRole('button', { name: 'Next' }).click();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(adminPage.getByText('Page 2')).toBeVisible();
  await adminPage.getByRole('button', { name: 'Previous' }).click();
  await expect(table.getByRole('row')).toHaveCount(26);
  await admin.close();
});
