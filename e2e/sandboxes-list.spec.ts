import { expect, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import { deleteSandboxes } from './sandbox-helpers';

test('the sandboxes list filters, refreshes live and runs the row actions valid for each state', async ({ page }) => {
  test.setTimeout(120_000);
  const { personalSlug: org } = await signUpNewUser(page, 'sbxlist');
  const headers = { 'x-warren-org': org };
  const ids: string[] = [];
  try {
    // Created by "an agent" through the API while the page is open: the list picks them up by itself.
    for (const team of ['alpha', 'beta']) {
      const res = await page.request.post('/api/v1/sandboxes', { headers, data: { metadata: { team } } });
      expect(res.status()).toBe(201);
      ids.push((await res.json()).id);
    }
    const [a, b] = ids as [string, string];
    const rowA = page.getByTestId(`sandbox-row-${a}`);
    const rowB = page.getByTestId(`sandbox-row-${b}`);
    await expect(rowA).toBeVisible();
    await expect(rowB).toBeVisible();

    await page.getByLabel('Filter by metadata').fill('team:alpha');
    await page.getByLabel('Filter by metadata').press('Enter');
    await expect(rowB).toBeHidden();
    await expect(rowA).toBeVisible();
    await page.getByRole('button', { name: 'Remove filter team:alpha' }).click();
    await expect(rowB).toBeVisible();

    const act = async (action: string, state: string) => {
      await page.getByRole('button', { name: `Actions for ${a}` }).click();
      await page.getByRole('menuitem', { name: action }).click();
      await expect(rowA.getByTestId('sandbox-state')).toHaveText(state, { timeout: 20_000 });
    };
    await page.getByRole('button', { name: `Actions for ${a}` }).click();
    // A running sandbox offers pause and stop, never start or resume.
    await expect(page.getByRole('menuitem', { name: 'Start' })).toHaveCount(0);
    await expect(page.getByRole('menuitem', { name: 'Resume' })).toHaveCount(0);
    await page.keyboard.press('Escape');
    await act('Pause', 'paused');
    await act('Resume', 'running');
    await act('Stop', 'stopped');

    await page.getByLabel('Filter by state').selectOption('stopped');
    await expect(rowB).toBeHidden();
    await expect(rowA).toBeVisible();
    await page.getByLabel('Filter by state').selectOption('');
    await act('Start', 'running');

    await page.getByRole('button', { name: `Actions for ${a}` }).click();
    await page.getByRole('menuitem', { name: 'Extend timeout' }).click();
    const extend = page.getByRole('dialog', { name: 'Extend timeout' });
    await extend.getByLabel('Keep it alive for').selectOption('3600');
    await extend.getByRole('button', { name: 'Extend' }).click();
    await expect(page.getByText('Timeout extended')).toBeVisible();
    await expect(rowA).toContainText(/59m|1h/);

    await page.getByRole('button', { name: `Actions for ${a}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete sandbox' }).click();
    await expect(rowA).toBeHidden();
    await expect(rowB).toBeVisible();
  } finally {
    await deleteSandboxes(page, org, ids);
  }
});
