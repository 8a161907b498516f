import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BrowserContext, expect, type Frame, type Page, test } from '@playwright/test';
import { signUpNewUser } from './helpers';
import { deleteSandboxes, openTab } from './sandbox-helpers';

/**
 * One real sandbox, shared by the tests in order: the Files tab's upload count and its protected
 * system folders, the Overview chart's history from the runner, a demo embed in a cross-site
 * frame with storage blocked, and the sandbox list without Warren's internal tags.
 */
test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let org = '';
let sandboxId = '';

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
  ({ personalSlug: org } = await signUpNewUser(page, 'polish'));
  const res = await page.request.post('/api/v1/sandboxes', { headers: { 'x-warren-org': org }, data: {} });
  expect(res.status()).toBe(201);
  sandboxId = (await res.json()).id;
});

test.afterAll(async () => {
  const res = await page.request.get('/api/v1/sandboxes', { headers: { 'x-warren-org': org } });
  const ids = ((await res.json()).sandboxes as Array<{ id: string }>).map((s) => s.id);
  await deleteSandboxes(page, org, ids);
  await context.close();
});

test('uploads say how many files arrived, and system folders offer no delete', async () => {
  await page.goto(`/${org}/sandboxes/${sandboxId}?tab=files`);
  // The listing first, as a person sees it before choosing files (see sandboxes.spec.ts).
  await expect(page.getByTestId('file-.bashrc')).toBeVisible();
  const input = page.getByTestId('upload-input');
  await input.setInputFiles([
    { name: 'one.txt', mimeType: 'text/plain', buffer: Buffer.from('1\n') },
    { name: 'two.txt', mimeType: 'text/plain', buffer: Buffer.from('2\n') },
  ]);
  await expect(page.getByText('Uploaded 2 files')).toBeVisible();
  await expect(page.getByTestId('file-two.txt')).toBeVisible();
  await input.setInputFiles({ name: 'three.txt', mimeType: 'text/plain', buffer: Buffer.from('3\n') });
  await expect(page.getByText('Uploaded three.txt')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete three.txt' })).toBeVisible();

  await page.getByRole('button', { name: 'Root folder' }).click();
  await expect(page.getByTestId('file-proc')).toBeVisible();
  for (const dir of ['proc', 'sys', 'dev', 'usr', 'etc']) {
    await expect(page.getByTestId(`file-${dir}`)).toBeVisible();
    await expect(page.getByRole('button', { name: `Delete ${dir}`, exact: true })).toHaveCount(0);
  }
});

test('the Overview chart opens with the runner’s recent history, with a time axis and a legend', async () => {
  test.setTimeout(90_000);
  await page.goto(`/${org}/sandboxes/${sandboxId}?tab=overview`);
  const chart = page.getByTestId('metrics-chart');
  // The runner samples every 5 s: wait for a few points, then reload.
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 40_000 }).toBeGreaterThanOrEqual(4);
  await page.reload();
  await openTab(page, 'Overview');
  // Four points in under 3 s can only be history the runner kept, not samples since the reload.
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 3000 }).toBeGreaterThanOrEqual(4);
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('CPU (% of one vCPU)');
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('Memory (MiB of');
  await expect(chart.locator('.recharts-xAxis-tick-labels')).toContainText(/\d{1,2}:\d{2}/);
});

test('a demo embed in a cross-site frame with storage blocked still connects, and says what it cannot keep', async ({ browser }) => {
  test.setTimeout(120_000);
  // The org's plan runs a limited number of sandboxes at once: the visitor's needs a free place.
  const stop = await page.request.post(`/api/v1/sandboxes/${sandboxId}/stop`, { headers: { 'x-warren-org': org } });
  expect(stop.status()).toBe(200);
  await page.goto(`/${org}/templates`);
  await page.getByLabel('Label').fill('polish-demo');
  await page.getByRole('button', { name: 'Create demo link' }).click();
  const link = (await page.getByTestId('created-share').getByTestId('copy-field-value').textContent()) ?? '';
  expect(link).toMatch(/\/embed\//);

  const visitor = await browser.newContext();
  // What a browser blocking third-party storage does: touching sessionStorage in a cross-site frame throws.
  await visitor.addInitScript(() => {
    if (window.top === window) return;
    Object.defineProperty(window, 'sessionStorage', {
      configurable: true,
      get() {
        throw new DOMException('Access is denied for this document.', 'SecurityError');
      },
    });
  });
  // The console is at localhost; the embedding page is served from 127.0.0.1, another site, by a
  // real server on loopback (Chromium's private-network rules block a frame of localhost in a
  // page that has no address of its own, as a route-fulfilled one would be).
  const embedUrl = new URL(new URL(link).pathname, page.url()).href;
  const blog = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>Blog</title><iframe src="${embedUrl}" style="width:800px;height:400px"></iframe>`);
  });
  await new Promise<void>((resolve) => blog.listen(0, '127.0.0.1', resolve));
  const hostPage = `http://127.0.0.1:${(blog.address() as AddressInfo).port}/post`;
  const host = await visitor.newPage();
  await host.goto(hostPage);
  const frame = host.frameLocator('iframe');
  await expect(frame.getByTestId('terminal-status')).toHaveAttribute('data-status', 'connected', { timeout: 60_000 });
  await expect(frame.getByTestId('embed-storage-notice')).toContainText('reloading this page starts a new sandbox');

  const inner = host.frames().find((f) => f.url().includes('/embed/')) as Frame;
  await frame.locator('.xterm').click();
  await host.keyboard.type('echo embed-$((40+2))');
  await host.keyboard.press('Enter');
  await expect
    .poll(async () => (await inner.evaluate(() => window.__warrenTerminalText?.() ?? '')).split('\n').map((l) => l.trim()))
    .toContain('embed-42');
  await visitor.close();
  blog.close();
});

test('the sandboxes list shows the visitor’s sandbox without Warren’s internal tag', async () => {
  await page.goto(`/${org}/sandboxes`);
  const res = await page.request.get('/api/v1/sandboxes', { headers: { 'x-warren-org': org } });
  const visitorSb = ((await res.json()).sandboxes as Array<{ id: string; shareId: string | null }>).find((s) => s.shareId);
  expect(visitorSb).toBeTruthy();
  const row = page.getByTestId(`sandbox-row-${visitorSb!.id}`);
  await expect(row).toBeVisible();
  await expect(page.getByTestId('sandboxes-table')).not.toContainText('warren_share');
});
