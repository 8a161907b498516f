import net from 'node:net';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import { deleteSandboxes, openTab } from './sandbox-helpers';

/**
 * The rest of templates in the console: a sandbox saved as a template from its Snapshots tab,
 * the Templates page's Platform and Your org sections, making the saved template the org's
 * default (a create naming no template then starts on its files), and cancelling a build whose
 * pull hangs (a "registry" on loopback that never answers).
 */
test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let org = '';
let hang: net.Server;
let hangPort = 0;
const created: string[] = [];

test.beforeAll(async ({ browser }) => {
  hang = net.createServer(() => {});
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangPort = (hang.address() as net.AddressInfo).port;
  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  if (org) {
    const headers = { 'x-warren-org': org };
    for (const id of created) await page.request.delete(`/api/v1/sandboxes/${id}`, { headers }).catch(() => undefined);
    // Templates hold their snapshots: they go first.
    const res = await page.request.get('/api/v1/templates', { headers });
    const templates: Array<{ id: string; builtin: boolean; public: boolean }> = res.ok() ? (await res.json()).templates : [];
    for (const t of templates.filter((x) => !x.builtin && !x.public)) await page.request.delete(`/api/v1/templates/${t.id}`, { headers });
    await deleteSandboxes(page, org, []);
  }
  await context.close();
  hang?.close();
});

const exec = async (id: string, cmd: string) => {
  const res = await page.request.post(`/api/v1/sandboxes/${id}/exec`, { headers: { 'x-warren-org': org }, data: { cmd: ['sh', '-c', cmd] } });
  expect(res.ok()).toBe(true);
  return (await res.json()) as { stdout: string; exitCode: number };
};

test('save a sandbox as a template, make it the default, and cancel a hanging build', async () => {
  test.setTimeout(240_000);
  ({ personalSlug: org } = await signUpNewUser(page, 'tplmore'));
  const headers = { 'x-warren-org': org };
  const made = await page.request.post('/api/v1/sandboxes', { headers, data: { name: 'source-env' } });
  expect(made.status()).toBe(201);
  const src = (await made.json()).id as string;
  created.push(src);
  await exec(src, 'echo configured-by-hand > /home/user/setup.txt');

  // Save as template from the sandbox's Snapshots tab.
  await page.goto(`/${org}/sandboxes/${src}`);
  await openTab(page, 'Snapshots');
  await page.getByRole('button', { name: 'Save this sandbox as a template' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save this sandbox as a template' });
  await dialog.getByRole('textbox', { name: 'Template name' }).fill('Bad Name!');
  await dialog.getByRole('button', { name: 'Save template' }).click();
  await expect(dialog.getByRole('alert').first()).toContainText('lowercase');
  await dialog.getByRole('textbox', { name: 'Template name' }).fill('my-env');
  await dialog.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByText('Template my-env saved.')).toBeVisible({ timeout: 60_000 });

  // The Templates page: the built-in one under Platform, the saved one under Your org.
  await page.goto(`/${org}/templates`);
  const platform = page.getByTestId('templates-table-platform');
  const own = page.getByTestId('templates-table-org');
  await expect(page.getByRole('button', { name: 'Make host the default' })).toHaveCount(0);
  const row = own.getByTestId('template-my-env');
  await expect(row).toContainText('snapshot');
  await expect(row).toContainText('ready');

  // Make it the org's default: the badge moves, and a create naming no template starts on its files.
  await page.getByRole('button', { name: 'Make my-env the default' }).click();
  await expect(page.getByRole('button', { name: 'Make my-env the default' })).toHaveCount(0);
  await expect(platform.getByRole('button', { name: 'Make host the default' })).toBeVisible();
  const plain = await page.request.post('/api/v1/sandboxes', { headers, data: {} });
  expect(plain.status()).toBe(201);
  const fromDefault = (await plain.json()).id as string;
  created.push(fromDefault);
  expect((await exec(fromDefault, 'cat /home/user/setup.txt')).stdout).toBe('configured-by-hand\n');

  // A build whose registry never answers: cancel it from the build log.
  await page.getByTestId('create-template').click();
  const create = page.getByRole('dialog', { name: 'New template from an image' });
  await create.getByRole('textbox', { name: 'Name' }).fill('hangs');
  await create.getByRole('textbox', { name: 'Image' }).fill(`127.0.0.1:${hangPort}/slow/app:1`);
  await create.getByRole('button', { name: 'Create and build' }).click();
  const builds = page.getByRole('dialog', { name: 'Builds of hangs' });
  await expect(builds.getByTestId('build-log')).toContainText('pulling 127.0.0.1', { timeout: 30_000 });
  await builds.getByRole('button', { name: 'Cancel build' }).click();
  await expect(builds.getByTestId('build-log')).toContainText('cancel requested', { timeout: 15_000 });
  await expect(builds.getByRole('option').first()).toContainText('cancelled');
  await expect(builds.getByRole('button', { name: 'Cancel build' })).toHaveCount(0);
});
