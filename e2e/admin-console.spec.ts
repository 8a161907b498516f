import { type Browser, expect, type Page, test } from '@playwright/test';
import { ADMIN, expectNotFound, isOrgHome, PASSWORD, signIn, signUpNewUser } from './helpers';

/**
 * The admin console as a platform admin uses it, checked from the other side: what the org's own
 * people see after each admin action (the Billing and Quotas pages, the suspension banner, the
 * sign-in page of a disabled account), and that nobody else can reach any of it.
 */
async function adminPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.waitForURL(isOrgHome);
  return page;
}

const orgIdOf = async (page: Page, slug: string): Promise<string> =>
  (await (await page.request.get('/api/v1/org', { headers: { 'x-warren-org': slug } })).json()).org.id;

/** Finds the org in the tenants list and opens its page, as an admin would. */
async function openTenant(admin: Page, slug: string, orgId: string) {
  await admin.goto('/admin');
  await admin.getByLabel('Search organizations').fill(slug);
  const row = admin.getByTestId(`admin-org-${slug}`);
  await expect(row.getByTestId('tenant-status').filter({ visible: true })).toHaveText('active');
  await row.getByRole('link').first().click();
  await admin.waitForURL(`/admin/orgs/${orgId}`);
}

test('an admin grants credit and raises a quota; the org’s owner sees both', async ({ page, browser }) => {
  const { personalSlug: slug } = await signUpNewUser(page, 'tenant');
  const orgId = await orgIdOf(page, slug);
  const admin = await adminPage(browser);
  await openTenant(admin, slug, orgId);
  await expect(admin.getByTestId('tenant-balance')).toHaveText('$5.00');

  // Grant $25 with a reason: client-side checks first, then the ledger and the balance.
  const credits = admin.getByTestId('tenant-credits');
  await credits.getByRole('button', { name: 'Grant credit' }).click();
  await expect(credits.getByText('Enter an amount in dollars, e.g. 25 or 12.50')).toBeVisible();
  await credits.getByLabel('Amount ($)').fill('25');
  await credits.getByLabel('Reason').fill('E2E pilot credit');
  await credits.getByRole('button', { name: 'Grant credit' }).click();
  await expect(admin.getByText('Granted $25.00 of credit')).toBeVisible();
  await expect(admin.getByTestId('tenant-balance')).toHaveText('$30.00');
  await expect(admin.getByTestId('tenant-ledger')).toContainText('E2E pilot credit');

  // Raise concurrent sandboxes from the plan's 10 to 25 for this org (Enter submits the row).
  await admin.getByRole('link', { name: 'Quotas' }).click();
  const row = admin.getByTestId('tenant-quota-maxSandboxes');
  await expect(row.getByTestId('quota-plan-value')).toHaveText('10');
  await row.getByLabel('Concurrent sandboxes').fill('2.5');
  await row.getByLabel('Concurrent sandboxes').press('Enter');
  await expect(row.getByRole('alert')).toHaveText('Enter a whole number');
  await row.getByLabel('Concurrent sandboxes').fill('25');
  await row.getByLabel('Concurrent sandboxes').press('Enter');
  await expect(row.getByText('override', { exact: true })).toBeVisible();
  await expect(row.getByTestId('quota-plan-value')).toHaveText('10');

  // Both are in the org's audit log, under the admin's name.
  await admin.getByRole('link', { name: 'Audit log' }).click();
  await expect(admin.getByTestId('audit-table')).toContainText('Granted credit');
  await expect(admin.getByTestId('audit-table')).toContainText('Changed quota overrides');
  await expect(admin.getByTestId('audit-table')).toContainText(ADMIN.email);

  // The owner's own pages.
  await page.goto(`/${slug}/billing`);
  await expect(page.getByTestId('balance')).toHaveText('$30.00');
  await expect(page.getByTestId('balance-card')).toContainText('E2E pilot credit');
  await page.goto(`/${slug}/quotas`);
  await expect(page.getByTestId('quota-maxSandboxes')).toContainText('0 of 25');
  await expect(page.getByTestId('quota-maxSandboxes')).toContainText('Override');

  // Clearing the override puts the plan's limit back.
  await admin.getByRole('link', { name: 'Quotas' }).click();
  await admin.getByTestId('tenant-quota-maxSandboxes').getByRole('button', { name: 'Clear override' }).click();
  await expect(admin.getByText('Concurrent sandboxes follows the plan again')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('quota-maxSandboxes')).toContainText('0 of 10');
  await admin.context().close();
});

test('a suspended org’s member sees why and cannot create a sandbox; unsuspending restores it', async ({ page, browser }) => {
  const { personalSlug: slug } = await signUpNewUser(page, 'suspended');
  const orgId = await orgIdOf(page, slug);
  const admin = await adminPage(browser);
  await openTenant(admin, slug, orgId);

  const card = admin.getByTestId('tenant-suspension');
  await card.getByRole('button', { name: 'Suspend organization' }).click();
  await expect(card.getByText('Give a reason')).toBeVisible();
  await card.getByLabel('Reason for suspending').fill('E2E abuse report');
  await card.getByRole('button', { name: 'Suspend organization' }).click();
  const confirm = admin.getByRole('alertdialog');
  await expect(confirm).toContainText('Its running sandboxes stop now');
  await confirm.getByRole('button', { name: 'Suspend' }).click();
  await expect(admin.getByRole('heading', { level: 1 }).locator('..').getByTestId('tenant-status')).toHaveText('suspended');

  await page.goto(`/${slug}/sandboxes`);
  await expect(page.getByTestId('banner-suspended')).toContainText('This organization is suspended: E2E abuse report.');
  await expect(page.getByRole('button', { name: 'Create sandbox' })).toBeDisabled();
  await expect(page.getByTestId('create-blocked')).toHaveText('This organization is suspended: no new sandboxes.');
  const refused = await page.request.post('/api/v1/sandboxes', { headers: { 'x-warren-org': slug }, data: {} });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe('org_suspended');

  await card.getByRole('button', { name: 'Unsuspend' }).click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Unsuspend' }).click();
  await expect(card.getByRole('button', { name: 'Suspend organization' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('banner-suspended')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Create sandbox' })).toBeEnabled();
  await admin.context().close();
});

test('a disabled account is signed out at once and cannot sign in again until enabled', async ({ page, browser }) => {
  const { email, personalSlug: slug } = await signUpNewUser(page, 'disabled');
  const admin = await adminPage(browser);
  await admin.goto(`/admin/users?q=${encodeURIComponent(email)}`);
  const row = admin.getByTestId(`admin-user-${email}`);
  await row.getByRole('button', { name: 'Disable' }).click();
  const dialog = admin.getByRole('alertdialog');
  await expect(dialog).toContainText('every session they have ends now');
  await dialog.getByLabel('Reason').fill('E2E left the company');
  await dialog.getByRole('button', { name: 'Disable account' }).click();
  await expect(row).toContainText('Disabled: E2E left the company');

  // Their open browser is signed out at its next request, and signing in says why.
  // The open page may get there first: its own next poll answers 401 and sends it to sign in,
  // which interrupts this navigation.
  await page.goto(`/${slug}/sandboxes`).catch((err: Error) => {
    if (!/interrupted by another navigation to "[^"]*\/sign-in/.test(err.message)) throw err;
  });
  await page.waitForURL(/\/sign-in/);
  await signIn(page, email, PASSWORD);
  await expect(page.getByText('This account is disabled. Contact your platform admin.')).toBeVisible();

  await row.getByRole('button', { name: 'Enable' }).click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Enable account' }).click();
  await expect(row.getByRole('button', { name: 'Disable' })).toBeVisible();
  await signIn(page, email, PASSWORD);
  await page.waitForURL(isOrgHome);
  await admin.context().close();
});

test('plans: a custom plan for one org, edited with validation, and the org moved onto it', async ({ page, browser }) => {
  const { personalSlug: slug } = await signUpNewUser(page, 'planned');
  const orgId = await orgIdOf(page, slug);
  const admin = await adminPage(browser);
  await admin.goto('/admin/plans');
  await admin.getByRole('button', { name: 'New plan' }).click();
  const dialog = admin.getByRole('dialog', { name: 'New plan' });
  await dialog.getByLabel('Plan id').fill('Not An Id');
  await dialog.getByRole('button', { name: 'Create plan' }).click();
  await expect(dialog.getByText('2–40 lowercase letters, digits and hyphens, e.g. acme-2027')).toBeVisible();
  await expect(dialog.getByText('Enter a name')).toBeVisible();
  const id = `deal-${Date.now().toString(36)}`;
  await dialog.getByLabel('Plan id').fill(id);
  await dialog.getByLabel('Name', { exact: true }).fill('E2E deal');
  await dialog.getByLabel('Only for organization (optional)').fill('no-such-org-here');
  await dialog.getByRole('button', { name: 'Create plan' }).click();
  await expect(dialog.getByText('No organization has this id or URL name')).toBeVisible();
  await dialog.getByLabel('Only for organization (optional)').fill(slug);
  await dialog.getByLabel('Price per month ($)').fill('49');
  await dialog.getByRole('button', { name: 'Create plan' }).click();
  await admin.waitForURL(`/admin/plans/${id}`);

  const editor = admin.getByTestId('plan-editor');
  await expect(editor.getByLabel('Price per month ($)')).toHaveValue('49.00');
  await editor.getByLabel('vCPU-hour ($)').fill('0.1');
  await editor.getByLabel('vCPUs per sandbox').fill('0.125');
  await editor.getByRole('button', { name: 'Save plan' }).click();
  await expect(editor.getByText('vCPUs are counted in hundredths, e.g. 0.5 or 2.25')).toBeVisible();
  await editor.getByLabel('vCPUs per sandbox').fill('2');
  await editor.getByRole('button', { name: 'Save plan' }).click();
  await expect(admin.getByText('E2E deal saved')).toBeVisible();
  await admin.reload();
  await expect(admin.getByTestId('plan-editor').getByLabel('vCPU-hour ($)')).toHaveValue('0.10');

  await admin.goto(`/admin/orgs/${orgId}`);
  await admin.getByTestId('tenant-plan').getByLabel('Move to plan').selectOption(id);
  await admin.getByTestId('tenant-plan').getByRole('button', { name: 'Change plan' }).click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Change plan' }).click();
  await expect(admin.getByTestId('tenant-plan')).toContainText('$0.10');
  await page.goto(`/${slug}/billing`);
  await expect(page.getByTestId('plan-card')).toContainText('E2E deal');
  await admin.context().close();
});

test('non-admins get a 404 on every admin page and route', async ({ page }) => {
  const { personalSlug: slug } = await signUpNewUser(page, 'nosy');
  const orgId = await orgIdOf(page, slug);
  for (const path of ['/admin', '/admin/users', '/admin/sandboxes', '/admin/runners', '/admin/plans', '/admin/plans/free', '/admin/usage', '/admin/revenue', '/admin/mail', `/admin/orgs/${orgId}`]) {
    await expectNotFound(page, path);
  }
  for (const path of ['/api/admin/users', '/api/admin/runners', '/api/admin/sandboxes', '/api/admin/revenue', `/api/admin/orgs/${orgId}`]) {
    expect((await page.request.get(path)).status(), path).toBe(404);
  }
  expect((await page.request.post(`/api/admin/orgs/${orgId}/credits`, { data: { amountMicros: 1_000_000, reason: 'self-service' } })).status()).toBe(404);
});

test('runners: the local runner drains and undrains from the console; every admin page fits a phone', async ({ browser }) => {
  const admin = await adminPage(browser);
  await admin.goto('/admin/runners');
  const local = admin.getByTestId('admin-runner-local');
  try {
    await expect(local.getByTestId('runner-state')).toHaveText('ready');
    await local.getByRole('button', { name: 'Drain' }).click();
    await expect(admin.getByRole('alertdialog')).toContainText('keep running');
    await admin.getByRole('alertdialog').getByRole('button', { name: 'Drain runner' }).click();
    await expect(local.getByTestId('runner-state')).toHaveText('draining');
    await local.getByRole('button', { name: 'Undrain' }).click();
    await admin.getByRole('alertdialog').getByRole('button', { name: 'Undrain runner' }).click();
    await expect(local.getByTestId('runner-state')).toHaveText('ready');
  } finally {
    // Never leave the suite's only runner out of placement.
    await admin.request.post('/api/admin/runners/local/undrain');
  }

  await admin.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/admin', '/admin/users', '/admin/sandboxes', '/admin/runners', '/admin/plans', '/admin/plans/free', '/admin/revenue']) {
    await admin.goto(path);
    await expect(admin.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(admin.getByRole('status', { name: 'Loading' })).toHaveCount(0);
    expect(await admin.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
  }
  await admin.context().close();
});
