import { expect, test } from '@playwright/test';
import { signUpNewUser } from './helpers';

test('an API key is shown once, authenticates /api/v1 as its org, and stops working when revoked', async ({
  page,
  request,
}) => {
  const { personalSlug } = await signUpNewUser(page, 'keys');
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByText('Create an API key to use the API')).toBeVisible();

  await page.getByRole('button', { name: 'Create API key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dialog.getByText('Enter a name')).toBeVisible();
  await dialog.getByLabel('Name').fill('e2e-agent');
  await dialog.getByLabel('Name').press('Enter');

  const shown = page.getByRole('dialog', { name: 'API key e2e-agent' });
  const key = (await shown.getByTestId('copy-field-value').textContent()) ?? '';
  expect(key).toMatch(/^wrn_/);
  await expect(shown.getByText('will not be shown again')).toBeVisible();
  await shown.getByRole('button', { name: 'I have copied it' }).click();

  const row = page.getByTestId('api-key-e2e-agent');
  await expect(row).toContainText(key.slice(-4));
  await expect(row).not.toContainText(key);

  const auth = { Authorization: `Bearer ${key}` };
  const ok = await request.get('/api/v1/org', { headers: auth });
  expect(ok.status()).toBe(200);
  expect((await ok.json()).org.slug).toBe(personalSlug);

  // Last used is recorded (the key expires in 90 days, so "Never" could only be the last-used column).
  await page.reload();
  await expect(row).not.toContainText('Never');
  await page.getByRole('button', { name: 'Revoke e2e-agent' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(row.getByText('Revoked')).toBeVisible();

  const denied = await request.get('/api/v1/org', { headers: auth });
  expect(denied.status()).toBe(401);
  expect((await denied.json()).error.code).toBe('unauthorized');

  await page.getByRole('link', { name: 'Audit log' }).click();
  const audit = page.getByTestId('audit-table');
  await expect(audit.getByText('Revoked an API key')).toBeVisible();
  await expect(audit.getByText('Created an API key')).toBeVisible();
});
