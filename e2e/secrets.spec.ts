import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import { deleteSandboxes, expectTerminalConnected, expectTerminalLine, runInTerminal, sandboxIdOf } from './sandbox-helpers';

/**
 * Secrets in the console: create an env secret and an egress-only one (typing the value with the
 * reveal toggle), see that the list never shows a value, start a sandbox with both from the
 * create dialog, and read them in its terminal: the env secret's value, the egress secret's
 * placeholder. The delete confirmation names the sandbox that uses the secret.
 */
test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let org = '';
const created: string[] = [];
const ENV_VALUE = `sk-e2e-${Date.now().toString(36)}-envvalue`;
const EGRESS_VALUE = `sk-e2e-${Date.now().toString(36)}-egressvalue`;

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  if (org) await deleteSandboxes(page, org, created);
  await context.close();
});

async function createSecret(name: string, value: string, hosts = '') {
  await page.getByRole('button', { name: 'Create secret' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create secret' });
  await dialog.getByLabel('Name').fill(name);
  const field = dialog.getByTestId('secret-value');
  await expect(field).toHaveAttribute('type', 'password');
  await field.fill(value);
  // Reveal shows what is being typed (and only that); hide again before saving.
  await dialog.getByRole('button', { name: 'Show what I type' }).click();
  await expect(field).toHaveAttribute('type', 'text');
  await expect(field).toHaveValue(value);
  await dialog.getByRole('button', { name: 'Hide what I type' }).click();
  await expect(field).toHaveAttribute('type', 'password');
  if (hosts) await dialog.getByLabel('Allowed hosts (egress-only)').fill(hosts);
  await dialog.getByRole('button', { name: 'Create secret' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`secret-${name}`)).toBeVisible();
}

test('create an env secret and an egress-only one; the list never shows a value', async () => {
  ({ personalSlug: org } = await signUpNewUser(page, 'secrets'));
  await page.goto(`/${org}/secrets`);
  await expect(page.getByText('No secrets yet')).toBeVisible();
  await createSecret('E2E_ENV_KEY', ENV_VALUE);
  await createSecret('E2E_API_TOKEN', EGRESS_VALUE, 'api.example.com');
  await expect(page.getByTestId('secret-E2E_API_TOKEN')).toContainText('Egress-only');
  await expect(page.getByTestId('secret-E2E_API_TOKEN')).toContainText('api.example.com');
  await expect(page.getByTestId('secret-E2E_ENV_KEY')).toContainText('Environment');
  // The fingerprint and the last two characters, never the value.
  await expect(page.getByTestId('secret-E2E_ENV_KEY')).toContainText(`··${ENV_VALUE.slice(-2)}`);
  await page.reload();
  const html = await page.content();
  expect(html).not.toContain(ENV_VALUE);
  expect(html).not.toContain(EGRESS_VALUE);
  // A duplicate name is refused in the dialog.
  await page.getByRole('button', { name: 'Create secret' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create secret' });
  await dialog.getByLabel('Name').fill('E2E_ENV_KEY');
  await dialog.getByTestId('secret-value').fill('another value');
  await dialog.getByRole('button', { name: 'Create secret' }).click();
  await expect(dialog.getByText('A secret named E2E_ENV_KEY already exists')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // No sideways scroll on a phone: the table scrolls inside its card.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId('secrets-table')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 720 });
});

test('start a sandbox with both from the dialog: the terminal shows the value and the placeholder', async () => {
  test.setTimeout(120_000);
  const res = await page.request.get('/api/v1/secrets/E2E_API_TOKEN', { headers: { 'x-warren-org': org } });
  const placeholder = (await res.json()).secret.placeholder as string;
  expect(placeholder).toMatch(/^warren-secret-/);

  await page.goto(`/${org}/sandboxes`);
  await page.getByRole('button', { name: 'Create sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create sandbox' });
  await dialog.getByLabel('Network').selectOption('egress');
  await dialog.getByLabel('Allowed hosts').fill('api.example.com');
  const picker = dialog.getByTestId('secret-picker');
  await picker.getByLabel('E2E_ENV_KEY').check();
  await picker.getByLabel('E2E_API_TOKEN').check();
  await dialog.getByRole('button', { name: 'Create sandbox' }).click();
  await page.waitForURL(/\/sandboxes\/[a-z0-9]+$/, { timeout: 60_000 });
  const id = sandboxIdOf(page);
  created.push(id);

  await expectTerminalConnected(page);
  await runInTerminal(page, 'echo "env=$E2E_ENV_KEY"');
  await expectTerminalLine(page, `env=${ENV_VALUE}`);
  await runInTerminal(page, 'echo "egress=$E2E_API_TOKEN"');
  await expectTerminalLine(page, `egress=${placeholder}`);
  // The egress value is nowhere in the sandbox's environment.
  await runInTerminal(page, `echo "found=$(env | grep -c -- '${EGRESS_VALUE.slice(-12)}')"`);
  await expectTerminalLine(page, 'found=0');

  // The secrets page counts the use, and the delete confirmation names the sandbox.
  await page.goto(`/${org}/secrets`);
  await expect(page.getByTestId('secret-E2E_API_TOKEN')).toContainText('1 sandbox');
  await page.getByRole('button', { name: 'Delete E2E_API_TOKEN' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete E2E_API_TOKEN?' });
  await expect(confirm.getByTestId('secret-delete-effects')).toContainText(id);
  await expect(confirm.getByTestId('secret-delete-effects')).toContainText('stop getting it at once');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
});
