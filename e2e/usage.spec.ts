import fs from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import { ADMIN, isOrgHome, signIn, signUpNewUser } from './helpers';
import { deleteSandboxes } from './sandbox-helpers';

/** The micro-dollars behind an amount on the page (the Money component carries them). */
const microsOf = async (page: Page, testId: string) =>
  Number(await page.getByTestId(testId).getAttribute('data-micros'));

/** Sums the CSV's cost column, and names its groups. */
function readCsv(text: string) {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
  return {
    cols,
    total: rows.reduce((s, r) => s + Number(r.cost_micros), 0),
    groups: new Set(rows.map((r) => r.group)),
  };
}

test('a sandbox that ran shows its cost on its page, in the Usage chart, table and CSV, and on the admin page', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const { personalSlug: org } = await signUpNewUser(page, 'usage');
  const headers = { 'x-warren-org': org };
  const ids: string[] = [];
  try {
    // Nothing metered yet: the page says so and points at sandboxes.
    await page.goto(`/${org}/usage`);
    await expect(page.getByText('No usage yet')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Run a sandbox' })).toHaveAttribute('href', `/${org}/sandboxes`);

    // Two sandboxes started by "an agent": one will be deleted early, one kept until the end.
    for (const team of ['kept', 'gone']) {
      const res = await page.request.post('/api/v1/sandboxes', { headers, data: { metadata: { team } } });
      expect(res.status()).toBe(201);
      ids.push((await res.json()).id);
    }
    const [kept, gone] = ids as [string, string];

    // The sandbox page's cost appears once the meter has ingested, and grows while it runs.
    await page.goto(`/${org}/sandboxes/${kept}`);
    await expect.poll(() => microsOf(page, 'sandbox-cost-amount'), { timeout: 30_000 }).toBeGreaterThan(0);
    const early = await microsOf(page, 'sandbox-cost-amount');
    await expect.poll(() => microsOf(page, 'sandbox-cost-amount'), { timeout: 20_000 }).toBeGreaterThan(early);
    await expect(page.getByTestId('sandbox-cost-amount')).toHaveText(/^\$0\.0\d+$/);
    await page.getByRole('tab', { name: 'Overview' }).click();
    await expect(page.getByTestId('sandbox-usage-compute')).toContainText(/vCPU-h.*\$0\.0\d+/);
    await page.screenshot({ path: testInfo.outputPath('sandbox-overview.png'), fullPage: true });

    // The list shows each sandbox's cost too.
    await page.goto(`/${org}/sandboxes`);
    await expect(page.getByTestId(`sandbox-row-${kept}`).getByTestId('sandbox-row-cost')).toHaveText(/^\$0\.0\d+$/);

    // One sandbox deleted; wait until the meter has closed its periods (nothing open means no burn).
    expect((await page.request.delete(`/api/v1/sandboxes/${gone}`, { headers })).status()).toBe(200);
    await expect
      .poll(
        async () =>
          (await (await page.request.get(`/api/v1/sandboxes/${gone}/usage`, { headers })).json()).burnRateMicrosPerHour,
        {
          timeout: 20_000,
        },
      )
      .toBe(0);

    await page.goto(`/${org}/usage`);
    const chart = page.getByTestId('usage-chart');
    await expect(chart.locator('.recharts-bar-rectangle path').first()).toBeVisible();
    await expect(chart.locator('.recharts-legend-item')).toContainText(['Compute']);
    // Hovering a bar names its bucket and the dollars in it.
    await chart.locator('.recharts-bar-rectangle path').first().hover();
    await expect(page.getByTestId('usage-chart-tooltip')).toContainText(
      /UTC[\s\S]*Compute\s*\$0\.\d{6}[\s\S]*Total\s*\$0\.\d{6}/,
    );
    const table = page.getByTestId('usage-sandboxes-table');
    await expect(table.getByTestId(`usage-row-${kept}`).getByRole('link', { name: kept })).toBeVisible();
    const goneRow = table.getByTestId(`usage-row-${gone}`);
    await expect(goneRow).toContainText('deleted');
    await expect(goneRow.getByRole('link')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('usage-desktop.png'), fullPage: true });

    // Grouped by a metadata key the person types: one stack per team.
    await page.getByLabel('Group by').selectOption('metadata');
    await page.getByLabel('Metadata key').fill('team');
    await page.getByLabel('Metadata key').press('Enter');
    for (const team of ['kept', 'gone'])
      await expect(chart.locator('.recharts-legend-item', { hasText: team })).toBeVisible();
    await expect(page).toHaveURL(/groupBy=metadata\.team/);

    // The table links to the kept sandbox's page; delete it there.
    await table.getByRole('link', { name: kept }).click();
    await page.waitForURL(new RegExp(`/sandboxes/${kept}$`));
    await page.getByRole('button', { name: `Actions for ${kept}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete sandbox' }).click();
    await page.waitForURL(new RegExp(`/${org}/sandboxes$`));
    await expect
      .poll(async () => (await (await page.request.get('/api/v1/usage', { headers })).json()).burnRateMicrosPerHour, {
        timeout: 20_000,
      })
      .toBe(0);

    // With nothing running the figures hold still: the CSV's total is the page's, to the micro-dollar.
    await page.goto(`/${org}/usage?groupBy=metadata.team`);
    await expect(page.getByTestId('usage-projected')).toContainText('nothing is running now');
    const total = await microsOf(page, 'usage-total-cost');
    expect(total).toBeGreaterThan(0);
    const rowCosts = await table
      .locator('[data-micros]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-micros'))));
    expect(rowCosts.reduce((a, b) => a + b, 0)).toBe(total);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^warren-usage-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readCsv(await fs.readFile((await download.path())!, 'utf8'));
    expect(csv.cols.slice(0, 4)).toEqual(['bucket', 'group', 'cost_usd', 'cost_micros']);
    expect(csv.total).toBe(total);
    expect([...csv.groups].sort()).toEqual(['gone', 'kept']);

    // On a phone the page fits the screen; the tables scroll inside their cards.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByTestId('usage-total-cost')).toBeVisible();
    // The layout settles after the resize (the sidebar turns into a drawer): poll, do not sample once.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: testInfo.outputPath('usage-phone.png'), fullPage: true });

    // The platform admin sees the org with the same cost this month.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, ADMIN.email, ADMIN.password);
    await admin.waitForURL(isOrgHome);
    await admin.goto('/admin');
    await admin.getByRole('navigation', { name: 'Platform admin' }).getByRole('link', { name: 'Usage' }).click();
    await admin.waitForURL(/\/admin\/usage$/);
    await admin.getByLabel('Search organizations').fill(org);
    await expect(admin.getByTestId('admin-usage-table').getByRole('row')).toHaveCount(2);
    const row = admin.getByTestId(`admin-usage-${org}`);
    await expect(row.locator('[data-micros]')).toHaveAttribute('data-micros', String(total));
    await admin.screenshot({ path: testInfo.outputPath('admin-usage.png'), fullPage: true });
    await adminContext.close();
  } finally {
    await deleteSandboxes(page, org, ids);
  }
});
