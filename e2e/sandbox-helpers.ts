import { expect, type Page } from '@playwright/test';

/** Steps shared by the sandbox specs: the terminal is read through the buffer hook terminal-view exposes. */
export async function terminalLines(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => window.__warrenTerminalText?.() ?? '');
  return text.split('\n').map((l) => l.trim());
}

export async function expectTerminalConnected(page: Page, timeout = 30_000) {
  await expect(page.getByTestId('terminal-status')).toHaveAttribute('data-status', 'connected', { timeout });
}

/** Types a command line into the terminal and presses Enter. */
export async function runInTerminal(page: Page, command: string) {
  await page.locator('.xterm').first().click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** Waits for a whole output line (not the echoed command line, which carries the prompt too). */
export async function expectTerminalLine(page: Page, line: string | RegExp, timeout = 20_000) {
  await expect
    .poll(async () => (await terminalLines(page)).some((l) => (typeof line === 'string' ? l === line : line.test(l))), {
      timeout,
      message: `terminal line ${line}`,
    })
    .toBe(true);
}

/** Last output line matching `re` (for values such as `stty size`). */
export async function lastTerminalMatch(page: Page, re: RegExp): Promise<string | undefined> {
  return (await terminalLines(page)).filter((l) => re.test(l)).at(-1);
}

export async function openTab(page: Page, name: 'Terminal' | 'Files' | 'Ports' | 'Snapshots' | 'Overview') {
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('tab', { name })).toHaveAttribute('data-state', 'active');
}

/** The sandbox id of a sandbox page URL (/org/sandboxes/<id>). */
export function sandboxIdOf(page: Page): string {
  const m = /\/sandboxes\/([a-z0-9]+)/.exec(new URL(page.url()).pathname);
  if (!m) throw new Error(`not a sandbox URL: ${page.url()}`);
  return m[1]!;
}

/**
 * Deletes the sandboxes, then the org's snapshots, through the API as the signed-in owner: the
 * runner outlives the test server, so nothing may be left running.
 */
export async function deleteSandboxes(page: Page, org: string, ids: string[]) {
  const headers = { 'x-warren-org': org };
  for (const id of ids) {
    await page.request.delete(`/api/v1/sandboxes/${id}`, { headers }).catch(() => undefined);
  }
  const res = await page.request.get('/api/v1/snapshots', { headers }).catch(() => null);
  const snapshots: Array<{ id: string }> = res?.ok() ? (await res.json()).snapshots : [];
  for (const s of snapshots) {
    await page.request.delete(`/api/v1/snapshots/${s.id}`, { headers }).catch(() => undefined);
  }
}
