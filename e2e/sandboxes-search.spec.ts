import { expect, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import { deleteSandboxes } from './sandbox-helpers';

/** Search and state filter in the URL (shareable, Back works) and bulk stop/delete behind a confirmation naming the count. */
test('sandboxes: search by name or metadata in the URL, Back restores, bulk stop and delete', async ({ page }) => {
  test.setTimeout(240_000);
  const { personalSlug: org } = await signUpNewUser(page, 'sbxsearch');
  const headers = { 'x-warren-org': org };
  const ids: string[] = [];
  try {
    for (const [name, team] of [
      ['crawler-one', 'data'],
      ['crawler-two', 'data'],
      ['web-app', 'front'],
    ]) {
      const res = await page.request.post('/api/v1/sandboxes', { headers, data: { name, metadata: { team: team! } } });
      expect(res.status(), await res.text()).toBe(201);
      ids.push((await res.json()).id);
    }
    const [c1, c2, web] = ids as [string, string, string];
    const row = (id: string) => page.getByTestId(`sandbox-row-${id}`);

    await page.goto(`/${org}/sandboxes`);
    await expect(row(web)).toBeVisible();
    const search = page.getByLabel('Search sandboxes by id, name or metadata');
    await search.fill('crawler');
    await search.press('Enter');
    await expect(page).toHaveURL(/\?q=crawler$/);
    await expect(row(web)).toBeHidden();
    await expect(row(c1)).toBeVisible();
    await expect(row(c2)).toBeVisible();

    await search.fill('front');
    await search.press('Enter');
    await expect(row(c1)).toBeHidden();
    await expect(row(web)).toBeVisible();
    await page.goBack();
    await expect(page).toHaveURL(/\?q=crawler$/);
    await expect(search).toHaveValue('crawler');
    await expect(row(web)).toBeHidden();

    // A shared link opens the same view.
    await page.goto(`/${org}/sandboxes?q=${web.slice(0, 10)}`);
    await expect(row(web)).toBeVisible();
    await expect(row(c1)).toBeHidden();

    await page.goto(`/${org}/sandboxes?q=crawler`);
    await page.getByLabel('Select every sandbox on this page').check();
    await expect(page.getByTestId('bulk-bar')).toContainText('2 sandboxes selected');
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Stop' }).click();
    const stopDialog = page.getByRole('alertdialog', { name: 'Stop 2 sandboxes?' });
    await stopDialog.getByRole('button', { name: 'Stop 2 sandboxes' }).click();
    await expect(page.getByText('Stopped 2 sandboxes')).toBeVisible({ timeout: 30_000 });
    await page.getByLabel('Filter by state').selectOption('stopped');
    await expect(page).toHaveURL(/state=stopped/);
    await expect(row(c1)).toBeVisible();
    await expect(row(c2)).toBeVisible();

    await page.getByLabel('Select crawler-one').check();
    await page.getByLabel('Select crawler-two').check();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog', { name: 'Delete 2 sandboxes?' }).getByRole('button', { name: 'Delete 2 sandboxes' }).click();
    await expect(page.getByText('No sandboxes match these filters')).toBeVisible({ timeout: 30_000 });
    await page.goto(`/${org}/sandboxes`);
    await expect(row(web)).toBeVisible();
    await expect(row(c1)).toHaveCount(0);
  } finally {
    await deleteSandboxes(page, org, ids);
  }
});
