import { expect, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import { deleteSandboxes, openTab, sandboxIdOf } from './sandbox-helpers';

/**
 * The create dialog's isolation levels. What the runner can run is asked of the API the dialog
 * itself reads (GET /api/v1/quotas, from the runner's start-up probe of runsc): where gVisor runs
 * (this machine: runsc with --platform=ptrace), a gVisor sandbox is created from the dialog and
 * shown as such; where it does not, its option is disabled and the reason shown. Either way the
 * branch is decided by the runner, never by the test.
 */
test('create a gVisor sandbox from the dialog, or see why the level is unavailable', async ({ page }) => {
  test.setTimeout(120_000);
  const { personalSlug: org } = await signUpNewUser(page, 'iso');
  const created: string[] = [];
  try {
    const quotas = await page.request.get('/api/v1/quotas', { headers: { 'x-warren-org': org } });
    expect(quotas.ok()).toBe(true);
    const gvisor: { available: boolean; reason?: string } = (await quotas.json()).isolation.gvisor;

    await page.getByRole('button', { name: 'Create sandbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create sandbox' });
    const select = dialog.getByTestId('isolation-select');
    // A create that names no level gets the template's, else the org's default: container here.
    await expect(select.locator('option[value=""]')).toHaveText('Default: Container (runc)');
    const option = select.locator('option[value="gvisor"]');

    if (!gvisor.available) {
      await expect(option).toBeDisabled();
      await expect(dialog.getByTestId('isolation-gvisor-unavailable')).toHaveText(`gVisor is unavailable: ${gvisor.reason}`);
      return;
    }
    await expect(option).toBeEnabled();
    await expect(dialog.getByTestId('isolation-gvisor-unavailable')).toHaveCount(0);
    await select.selectOption('gvisor');
    await dialog.getByRole('button', { name: 'Create sandbox' }).click();
    await page.waitForURL(/\/sandboxes\/[a-z0-9]+$/, { timeout: 60_000 });
    created.push(sandboxIdOf(page));

    await openTab(page, 'Overview');
    await expect(page.getByText('gVisor (user-space kernel)')).toBeVisible();
    // The API says the same, and the runner really runs it under gVisor's kernel.
    const headers = { 'x-warren-org': org };
    const sb = await (await page.request.get(`/api/v1/sandboxes/${created[0]}`, { headers })).json();
    expect(sb.isolation).toBe('gvisor');
    const exec = await page.request.post(`/api/v1/sandboxes/${created[0]}/exec`, { headers, data: { cmd: 'uname -r' } });
    expect((await exec.json()).stdout.trim()).toBe('4.4.0'); // gVisor's Sentry, not the host's kernel

    // The list marks it.
    await page.goto(`/${org}/sandboxes`);
    await expect(page.getByTestId(`sandbox-row-${created[0]}`).getByText('gVisor', { exact: true })).toBeVisible();
  } finally {
    await deleteSandboxes(page, org, created);
  }
});
