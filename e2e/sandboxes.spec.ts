import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import {
  deleteSandboxes,
  expectTerminalConnected,
  expectTerminalLine,
  lastTerminalMatch,
  openTab,
  runInTerminal,
  sandboxIdOf,
} from './sandbox-helpers';

/**
 * One sandbox walked through the console end to end, in order: each step builds on the last
 * (the uploaded file is served, snapshotted and forked), so the tests share one page.
 */
test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let org = '';
let sandboxUrl = '';
const created: string[] = [];

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  // Keeps the page's WebSockets reachable so a test can drop the terminal's connection.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: WebSocket[] = [];
    (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
  });
  page = await context.newPage();
});

test.afterAll(async () => {
  if (org) await deleteSandboxes(page, org, created);
  await context.close();
});

test('create a sandbox from the console and use its terminal across a resize, a dropped connection and a reload', async () => {
  test.setTimeout(120_000);
  ({ personalSlug: org } = await signUpNewUser(page, 'sbx'));
  await expect(page.getByText('No sandboxes yet')).toBeVisible();
  await page.getByRole('button', { name: 'Create sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create sandbox' });
  await dialog.getByRole('group').filter({ hasText: 'Metadata' }).getByRole('button', { name: 'Add' }).click();
  await dialog.getByLabel('Metadata key 1').fill('suite');
  await dialog.getByLabel('Metadata value 1').fill('e2e');
  await dialog.getByRole('button', { name: 'Create sandbox' }).click();
  await page.waitForURL(/\/sandboxes\/[a-z0-9]+$/, { timeout: 60_000 });
  created.push(sandboxIdOf(page));
  sandboxUrl = page.url();

  await expectTerminalConnected(page);
  await runInTerminal(page, 'echo hello-from-warren');
  await expectTerminalLine(page, 'hello-from-warren');

  // The pane follows the window: the shell sees the new size.
  await runInTerminal(page, 'stty size');
  await expectTerminalLine(page, /^\d+ \d+$/);
  const before = await lastTerminalMatch(page, /^\d+ \d+$/);
  await page.setViewportSize({ width: 900, height: 600 });
  await expect
    .poll(async () => {
      await runInTerminal(page, 'stty size');
      await page.waitForTimeout(300);
      return lastTerminalMatch(page, /^\d+ \d+$/);
    })
    .not.toBe(before);

  // A dropped connection comes back by itself to the same shell (its variables are still set).
  await runInTerminal(page, 'export MARK=42');
  await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)?.close());
  await expect(page.getByTestId('terminal-status')).not.toHaveAttribute('data-status', 'connected');
  await expectTerminalConnected(page);
  await runInTerminal(page, 'echo mark-$MARK');
  await expectTerminalLine(page, 'mark-42');

  // A reload joins the same shell and replays its recent output.
  await page.reload();
  await expectTerminalConnected(page);
  await expectTerminalLine(page, 'hello-from-warren');

  await page.goto(`/${org}/sandboxes`);
  const row = page.getByTestId(`sandbox-row-${created[0]}`);
  await expect(row.getByTestId('sandbox-state')).toHaveText('running');
  await expect(row).toContainText('suite=e2e');
});

test('upload a file in the Files tab and read it back in the terminal', async () => {
  await page.goto(`${sandboxUrl}?tab=files`);
  await expect(page.getByRole('button', { name: 'Upload' })).toBeVisible();
  // The listing first, as a person sees it before choosing a file. (Once, in a fresh-clone run,
  // the upload below never showed up in the listing; the cause is not known, so the upload's own
  // toast is checked first: a failure then names its error, or shows that no upload ran.)
  await expect(page.getByTestId('file-.bashrc')).toBeVisible();
  await page.getByTestId('upload-input').setInputFiles({
    name: 'e2e-upload.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('uploaded-by-playwright\n'),
  });
  await expect(page.locator('[data-sonner-toast]').first()).toContainText('Uploaded e2e-upload.txt');
  const file = page.getByTestId('file-e2e-upload.txt');
  await expect(file).toBeVisible();
  await file.getByRole('button', { name: 'e2e-upload.txt', exact: true }).click();
  await expect(page.getByTestId('file-editor')).toHaveValue('uploaded-by-playwright\n');

  // Dropping files on the browser uploads them too.
  const dropped = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped-in\n'], 'e2e-dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  await page.getByTestId('file-browser').dispatchEvent('drop', { dataTransfer: dropped });
  await expect(page.getByTestId('file-e2e-dropped.txt')).toBeVisible();

  await openTab(page, 'Terminal');
  await expectTerminalConnected(page);
  await runInTerminal(page, 'cat ~/e2e-upload.txt');
  await expectTerminalLine(page, 'uploaded-by-playwright');
});

test('expose a port and open its preview; a private preview refuses a signed-out browser', async ({ browser }) => {
  test.setTimeout(90_000);
  await runInTerminal(page, 'cd ~ && (python3 -m http.server 8000 >/dev/null 2>&1 &)');
  await openTab(page, 'Ports');
  await page.getByLabel('Port', { exact: true }).fill('8000');
  await page.getByRole('button', { name: 'Expose port' }).click();
  const row = page.getByTestId('port-8000');
  await expect(row).toContainText('private');
  const url = (await row.getByRole('link').first().getAttribute('href')) ?? '';
  expect(url).toMatch(/^http:\/\/8000-[a-z0-9]+\.preview\.localhost:\d+/);

  const preview = await context.newPage();
  await expect(async () => {
    await preview.goto(url);
    await expect(preview.getByText('Directory listing for /')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(preview.getByRole('link', { name: 'e2e-upload.txt' })).toBeVisible();
  await preview.close();

  // The in-page frame opens the private preview too (a partitioned cookie carries the access).
  await row.getByRole('button', { name: 'Preview' }).click();
  await expect(
    page.frameLocator('iframe[title="Port 8000 preview"]').getByText('Directory listing for /'),
  ).toBeVisible();

  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(url);
  await expect(strangerPage).toHaveURL(/\/sign-in/);

  // Made public, the same URL opens for anyone.
  await row.getByRole('button', { name: 'Make public' }).click();
  // Wait for the toggle to land (its label flips); "public" alone also matches the button.
  await expect(row.getByRole('button', { name: 'Make private' })).toBeVisible();
  await strangerPage.goto(url);
  await expect(strangerPage.getByText('Directory listing for /')).toBeVisible();
  await stranger.close();
});

test('take a snapshot, browse it, fork from it and find the file in the fork', async () => {
  test.setTimeout(120_000);
  await page.goto(`${sandboxUrl}?tab=snapshots`);
  await page.getByLabel('Snapshot name').fill('e2e-snap');
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  const snap = page.getByTestId('snapshot-e2e-snap');
  await expect(snap).toBeVisible({ timeout: 30_000 });

  await snap.getByRole('button', { name: 'Browse' }).click();
  const files = page.getByRole('region', { name: 'Files of snapshot e2e-snap' });
  await expect(files.getByTestId('file-e2e-upload.txt')).toBeVisible();
  await files.getByRole('button', { name: 'e2e-upload.txt', exact: true }).click();
  await expect(files.getByTestId('file-editor')).toHaveValue('uploaded-by-playwright\n');

  await snap.getByRole('button', { name: 'Fork' }).click();
  await page.waitForURL((u) => /\/sandboxes\/[a-z0-9]+/.test(u.pathname) && !sandboxUrl.endsWith(u.pathname), {
    timeout: 60_000,
  });
  created.push(sandboxIdOf(page));
  await openTab(page, 'Files');
  await expect(page.getByTestId('file-e2e-upload.txt')).toBeVisible({ timeout: 30_000 });

  // The org's Snapshots page lists it with its parent, and refuses to delete it while the fork stands on it.
  await page.getByRole('link', { name: 'Snapshots' }).click();
  const listed = page.getByTestId('snapshot-e2e-snap');
  await expect(listed).toContainText(created[0]!);
  await listed.getByRole('button', { name: 'Delete snapshot e2e-snap' }).click();
  const confirm = page.getByRole('alertdialog');
  await confirm.getByRole('button', { name: 'Delete snapshot' }).click();
  await expect(confirm.getByText(/used by 1 sandbox/)).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
});

test('an embed link works signed out and stops when revoked', async ({ browser }) => {
  test.setTimeout(90_000);
  // Commands run through the API show in the Overview's exec log with their exit codes.
  const exec = await page.request.post(`/api/v1/sandboxes/${created[0]}/exec`, {
    headers: { 'x-warren-org': org },
    data: { cmd: 'exit 3' },
  });
  expect((await exec.json()).exitCode).toBe(3);
  await page.goto(`${sandboxUrl}?tab=overview`);
  await expect(page.getByTestId('exec-log')).toContainText('exit 3');
  await expect(page.getByTestId('metrics-chart')).toBeVisible();
  await page.getByLabel('Label').fill('e2e-embed');
  await page.getByLabel('Access').selectOption('rw');
  await page.getByRole('button', { name: 'Create link' }).click();
  const link = (await page.getByTestId('created-share').getByTestId('copy-field-value').textContent()) ?? '';
  expect(link).toMatch(/\/embed\/[A-Za-z0-9_-]+$/);
  await expect(page.getByTestId('share-snippet')).toContainText('<iframe');

  const visitor = await browser.newContext();
  const embed = await visitor.newPage();
  await embed.goto(new URL(link).pathname);
  await expectTerminalConnected(embed);
  await runInTerminal(embed, 'echo embed-$((40+2))');
  await expectTerminalLine(embed, 'embed-42');

  await page.getByRole('button', { name: 'Revoke e2e-embed' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke link' }).click();
  await expect(page.getByTestId('share-e2e-embed')).toContainText('revoked');
  await expect(embed.getByTestId('terminal-status')).toHaveAttribute('data-status', 'failed');
  await expect(embed.getByText(/revoked/)).toBeVisible();
  await embed.reload();
  await expect(embed.getByText('This link was revoked or has expired')).toBeVisible();
  await visitor.close();
});
