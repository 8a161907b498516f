import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { signUpNewUser } from './helpers';

/** The audit log: each action once, targets linked, filters kept in the URL (Back works), CSV export with the same filters. */
test('audit log filters live in the URL, targets link to their pages, and the CSV export follows the filters', async ({ page }) => {
  test.setTimeout(180_000);
  const { email, personalSlug: org } = await signUpNewUser(page, 'audit');
  const headers = { 'x-warren-org': org };
  for (const name of ['ci', 'deploy']) {
    expect((await page.request.post('/api/v1/api-keys', { headers, data: { name } })).status()).toBe(201);
  }
  expect((await page.request.patch('/api/v1/org', { headers, data: { name: 'Audit Team' } })).ok()).toBe(true);

  await page.goto(`/${org}/audit`);
  const rows = page.getByTestId('audit-table').locator('tbody tr');
  await expect(rows.filter({ hasText: 'api_key.create' })).toHaveCount(2);
  // The action code appears once per row (with its label beside it), not twice.
  for (const row of await rows.all()) {
    const action = (await row.getByTestId('audit-action').locator('code').textContent())!;
    expect((await row.textContent())!.split(action).length - 1).toBe(1);
  }
  await expect(rows.filter({ hasText: 'Created an API key' })).toHaveCount(2);

  await page.getByLabel('Action').selectOption('api_key.create');
  await expect(page).toHaveURL(/\?action=api_key.create$/);
  await expect(rows).toHaveCount(2);
  await page.getByLabel('Actor').fill(email.slice(0, 10).toUpperCase());
  await page.getByLabel('Actor').press('Enter');
  await expect(page).toHaveURL(/actor=/);
  await expect(rows).toHaveCount(2);

  // Shareable: the same URL in a fresh load shows the same filtered log.
  await page.reload();
  await expect(page.getByLabel('Action')).toHaveValue('api_key.create');
  await expect(rows).toHaveCount(2);

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = fs.readFileSync((await (await downloading).path())!, 'utf8').trimEnd().split('\n');
  expect(csv[0]).toBe('time,actor_type,actor,action,target_type,target_id,data');
  expect(csv).toHaveLength(3);
  expect(csv.every((l, i) => i === 0 || l.includes(',api_key.create,api_key,'))).toBe(true);
  expect(csv.join('\n')).toContain(`"{""name"":""deploy""`);

  // Back undoes the actor filter, then the action filter.
  await page.goBack();
  await expect(page).toHaveURL(/\?action=api_key.create$/);
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/${org}/audit$`));
  await expect(rows.filter({ hasText: 'org.update' })).toHaveCount(1);

  await page.getByLabel('From').fill('2099-01-01');
  await expect(page.getByText('No events match these filters')).toBeVisible();
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page).toHaveURL(new RegExp(`/${org}/audit$`));

  await rows.filter({ hasText: 'org.update' }).getByTestId('audit-target').click();
  await expect(page).toHaveURL(new RegExp(`/${org}/settings$`));
  await page.goBack();
  await rows.filter({ hasText: 'api_key.create' }).first().getByTestId('audit-target').click();
  await expect(page).toHaveURL(new RegExp(`/${org}/keys$`));
});
