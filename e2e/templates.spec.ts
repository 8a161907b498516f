import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { busyboxLayer, type Registry, startRegistry } from '../tests/runner/oci-fixture';
import { signUpNewUser } from './helpers';
import { deleteSandboxes, expectTerminalConnected, expectTerminalLine, runInTerminal, sandboxIdOf } from './sandbox-helpers';

/**
 * Templates in the console: create one from an image in a real registry on loopback (assembled
 * by the test), watch its build log live until it succeeds, see it in the table, start a sandbox
 * from it in the create dialog and use the image's environment in the terminal (a busybox image:
 * no bash, so the terminal is its sh). Deleting it is refused while the sandbox uses it.
 */
test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let registry: Registry;
let image = '';
let org = '';
const created: string[] = [];

test.beforeAll(async ({ browser }) => {
  registry = await startRegistry();
  image = `${registry.push('e2e/tool', {
    layers: [busyboxLayer(), [{ type: 'dir', path: 'work/', uid: 1000, gid: 1000 }]],
    config: { Env: ['PATH=/bin', 'TOOL_MODE=from-the-image'], WorkingDir: '/work' },
  })}:latest`;
  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  if (org) await deleteSandboxes(page, org, created);
  await context.close();
  await registry?.stop();
});

test('create a template from an image, watch its build, and run a sandbox from it', async () => {
  test.setTimeout(240_000);
  ({ personalSlug: org } = await signUpNewUser(page, 'tpl'));
  await page.goto(`/${org}/templates`);
  await expect(page.getByText('Your org has no templates of its own yet')).toBeVisible();
  await expect(page.getByTestId('template-host')).toContainText('default');

  await page.getByTestId('create-template').click();
  const dialog = page.getByRole('dialog', { name: 'New template from an image' });
  // Bad input is caught by the API and shown on the field.
  await dialog.getByRole('textbox', { name: 'Name' }).fill('e2e-tool');
  await dialog.getByRole('textbox', { name: 'Image' }).fill('Not An Image!');
  await dialog.getByRole('button', { name: 'Create and build' }).click();
  await expect(dialog.getByRole('alert').first()).toContainText('image reference');
  await dialog.getByRole('textbox', { name: 'Image' }).fill(image);
  await dialog.getByLabel('Description').fill('busybox with a tool');
  await dialog.getByRole('button', { name: 'Create and build' }).click();

  // The build history opens on the new build; its log fills in live until it succeeds.
  const builds = page.getByRole('dialog', { name: 'Builds of e2e-tool' });
  await expect(builds).toBeVisible();
  await expect(builds.getByTestId('build-log')).toContainText('queued on runner');
  await expect(builds.getByTestId('build-log')).toContainText('build 1 succeeded', { timeout: 90_000 });
  await expect(builds.getByTestId('build-log')).toContainText(/pulled sha256:[a-f0-9]{64}: 2 layers/);
  await page.keyboard.press('Escape');
  const row = page.getByTestId('template-e2e-tool');
  await expect(row).toContainText('ready');
  await expect(row).toContainText(image);
  await expect(row).toContainText('v1');
  await expect(row).toContainText('0 sandboxes');

  // The create dialog offers it; the sandbox runs the image with its Env and WorkingDir.
  await page.goto(`/${org}/sandboxes`);
  await page.getByRole('button', { name: 'Create sandbox' }).click();
  const create = page.getByRole('dialog', { name: 'Create sandbox' });
  await create.getByLabel('Template').selectOption({ label: `e2e-tool — ${image}` });
  await create.getByRole('button', { name: 'Create sandbox' }).click();
  await page.waitForURL(/\/sandboxes\/[a-z0-9]+$/, { timeout: 60_000 });
  created.push(sandboxIdOf(page));
  await expectTerminalConnected(page);
  await runInTerminal(page, 'echo "mode=$TOOL_MODE dir=$(pwd)"');
  await expectTerminalLine(page, /mode=from-the-image dir=\/work$/);

  // In use: the delete is refused with the reason.
  await page.goto(`/${org}/templates`);
  await expect(page.getByTestId('template-e2e-tool')).toContainText('1 sandbox');
  await page.getByRole('button', { name: 'Delete e2e-tool' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete e2e-tool?' });
  await confirm.getByRole('button', { name: 'Delete template' }).click();
  await expect(confirm.getByRole('alert')).toContainText('in use by 1 sandbox');
});
