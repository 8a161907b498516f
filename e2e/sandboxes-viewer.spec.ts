import { expect, test } from '@playwright/test';
import { newPage, signUpNewUser } from './helpers';
import { deleteSandboxes, expectTerminalConnected, openTab } from './sandbox-helpers';

test('a viewer watches sandboxes read-only: no create, no actions, a read-only terminal', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const { personalSlug: org } = await signUpNewUser(page, 'sbxowner');
  const headers = { 'x-warren-org': org };
  const res = await page.request.post('/api/v1/sandboxes', { headers, data: {} });
  expect(res.status()).toBe(201);
  const id: string = (await res.json()).id;
  try {
    const invite = await page.request.post('/api/v1/invitations', { headers, data: { role: 'viewer' } });
    const { token } = await invite.json();
    const viewer = await newPage(browser);
    await signUpNewUser(viewer, 'sbxviewer');
    expect((await viewer.request.post('/api/invitations/accept', { data: { token } })).ok()).toBe(true);

    await viewer.goto(`/${org}/sandboxes`);
    await expect(viewer.getByTestId(`sandbox-row-${id}`)).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Create sandbox' })).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: `Actions for ${id}` })).toHaveCount(0);

    await viewer.getByRole('link', { name: id }).click();
    await expectTerminalConnected(viewer);
    await expect(viewer.getByTestId('terminal-status')).toContainText('read-only');
    await openTab(viewer, 'Files');
    await expect(viewer.getByTestId('file-browser')).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Upload' })).toHaveCount(0);
    await openTab(viewer, 'Ports');
    await expect(viewer.getByText('No ports exposed')).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Expose port' })).toHaveCount(0);
    await openTab(viewer, 'Overview');
    await expect(viewer.getByText('No links yet')).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Create link' })).toHaveCount(0);
    await viewer.context().close();
  } finally {
    await deleteSandboxes(page, org, [id]);
  }
});
