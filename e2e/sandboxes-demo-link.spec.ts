import { expect, test } from '@playwright/test';
import { newPage, signUpNewUser } from './helpers';
import {
  deleteSandboxes,
  expectTerminalConnected,
  expectTerminalLine,
  runInTerminal,
  terminalLines,
} from './sandbox-helpers';

test('a demo link gives a signed-out visitor their own sandbox, kept across a reload', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const { personalSlug: org } = await signUpNewUser(page, 'demo');
  try {
    await page.getByRole('link', { name: 'Templates' }).click();
    await expect(page.getByTestId('templates-table-platform')).toContainText('default');
    await page.getByLabel('Label').fill('e2e-demo');
    await page.getByLabel('Max visitors').fill('2');
    await page.getByRole('button', { name: 'Create demo link' }).click();
    const link = (await page.getByTestId('created-share').getByTestId('copy-field-value').textContent()) ?? '';
    await expect(page.getByTestId('share-e2e-demo')).toContainText('up to 2 visitors');

    const visitor = await newPage(browser);
    await visitor.goto(new URL(link).pathname);
    await expectTerminalConnected(visitor, 60_000);
    await runInTerminal(visitor, 'echo host=$(hostname)');
    await expectTerminalLine(visitor, /^host=sb-/);
    const host = (await terminalLines(visitor)).find((l) => /^host=sb-/.test(l));

    // The visitor's sandbox id rides in sessionStorage: a reload lands in the same machine.
    await visitor.reload();
    await expectTerminalConnected(visitor, 60_000);
    await runInTerminal(visitor, 'echo again=$(hostname)');
    await expectTerminalLine(visitor, host!.replace('host=', 'again='));
    await visitor.context().close();

    await page.getByRole('button', { name: 'Revoke e2e-demo' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke link' }).click();
    await expect(page.getByTestId('share-e2e-demo')).toContainText('revoked');
  } finally {
    const res = await page.request.get('/api/v1/sandboxes', { headers: { 'x-warren-org': org } });
    const ids = ((await res.json()).sandboxes as Array<{ id: string }>).map((s) => s.id);
    await deleteSandboxes(page, org, ids);
  }
});
