import { expect, test } from '@playwright/test';
import { E2E_STRIPE, stripePort } from './fake-stripe';
import { ADMIN, isOrgHome, signIn, signUpNewUser } from './helpers';

/**
 * Quotas and Billing as a new member sees them: limits beside their use, the plan and its credit,
 * the spend limit form (client and server validation), and the suspension banner a platform
 * admin's action puts above every page. On a phone the pages do not scroll sideways.
 */
test('quotas, billing, the spend limit form and the suspension banner', async ({ page, browser }) => {
  const { personalSlug: slug } = await signUpNewUser(page, 'billing');
  await page.getByRole('link', { name: 'Quotas' }).first().click();
  await page.waitForURL(`/${slug}/quotas`);
  const concurrent = page.getByTestId('quota-maxSandboxes');
  await expect(concurrent).toContainText('Concurrent sandboxes');
  await expect(concurrent).toContainText('0 of 10');
  await expect(concurrent).toContainText('Free plan');
  await expect(page.getByTestId('raise-limits')).toContainText('platform admin');

  await page.goto(`/${slug}/billing`);
  await expect(page.getByTestId('plan-card')).toContainText('Free plan');
  await expect(page.getByTestId('balance')).toHaveText('$5.00');
  await expect(page.getByTestId('balance-card')).toContainText('Free plan credit for');
  await expect(page.getByTestId('payment-slot')).toContainText('No payment method');

  const form = page.getByTestId('spend-limit-form');
  await form.getByLabel('Monthly spend limit ($)').fill('5');
  await form.getByLabel('Alert at ($)').fill('10');
  await form.getByRole('button', { name: 'Save limits' }).click();
  await expect(form.getByText('The alert must be below the limit')).toBeVisible();
  await form.getByLabel('Monthly spend limit ($)').fill('lots');
  await form.getByRole('button', { name: 'Save limits' }).click();
  await expect(form.getByText('Enter an amount in dollars, e.g. 50 or 12.50')).toBeVisible();
  await form.getByLabel('Monthly spend limit ($)').fill('20');
  await form.getByLabel('Alert at ($)').fill('12.5');
  await form.getByRole('button', { name: 'Save limits' }).click();
  await expect(page.getByText('Spend limits saved')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('spend-limit-form').getByLabel('Monthly spend limit ($)')).toHaveValue('20.00');
  await expect(page.getByTestId('spend-limit-form').getByLabel('Alert at ($)')).toHaveValue('12.50');

  // On a phone: no sideways scroll on either page.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ['billing', 'quotas']) {
    await page.goto(`/${slug}/${path}`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }

  // A platform admin suspends the org: every page shows why; unsuspending removes the banner.
  const orgId = (await (await page.request.get('/api/v1/org', { headers: { 'x-warren-org': slug } })).json()).org.id;
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, ADMIN.email, ADMIN.password);
  await adminPage.waitForURL(isOrgHome);
  expect((await adminPage.request.post(`/api/admin/orgs/${orgId}/suspend`, { data: { reason: 'e2e check' } })).status()).toBe(200);
  await page.goto(`/${slug}/quotas`);
  await expect(page.getByTestId('banner-suspended')).toContainText('This organization is suspended: e2e check.');
  await page.goto(`/${slug}/sandboxes`);
  await expect(page.getByTestId('banner-suspended')).toBeVisible();
  expect((await adminPage.request.post(`/api/admin/orgs/${orgId}/unsuspend`)).status()).toBe(200);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByTestId('banner-suspended')).toHaveCount(0);
  await admin.close();
});

/**
 * Upgrading with Stripe (the fake Stripe of e2e/fake-stripe.ts stands in for it): an owner picks
 * Pro, pays on the hosted Checkout page, comes back to Billing, and sees the Pro plan, the
 * subscription and its paid invoice; the portal opens for the same customer and leads back.
 */
test('an owner upgrades through Stripe Checkout and sees the plan and the invoice', async ({ page, browser }) => {
  // A platform admin sells Pro through Stripe (its price id, as in the Stripe dashboard).
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, ADMIN.email, ADMIN.password);
  await adminPage.waitForURL(isOrgHome);
  const patched = await adminPage.request.patch('/api/admin/plans/pro', { data: { stripePriceId: E2E_STRIPE.proPriceId } });
  expect(patched.status()).toBe(200);
  await admin.close();

  const { personalSlug: slug } = await signUpNewUser(page, 'upgrade');
  await page.goto(`/${slug}/billing`);
  await expect(page.getByTestId('plan-card')).toContainText('Free plan');
  const slot = page.getByTestId('payment-slot');
  await expect(slot).toContainText('No payment method');
  await expect(page.getByTestId('invoices-card')).toContainText('No invoices yet');
  await slot.getByLabel('Plan').selectOption({ label: 'Pro · $20.00/month' });
  await slot.getByRole('button', { name: 'Upgrade' }).click();

  // Stripe's hosted page (the fake's), then back to Warren.
  await page.waitForURL(/\/c\/pay\/cs_test_/);
  await expect(page.getByRole('heading', { name: 'Subscribe' })).toBeVisible();
  await expect(page.getByText(E2E_STRIPE.proPriceId)).toBeVisible();
  await page.getByRole('button', { name: 'Pay and subscribe' }).click();
  await page.waitForURL(new RegExp(`/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId('checkout-return'))
    .toHaveText('Thank you: you are on the Pro plan.', { timeout: 20_000 })
    .catch(async (err: Error) => {
      // What the fake Stripe sent and what Warren answered, for a failure seen once in a full run.
      const state = await (await page.request.get(`http://127.0.0.1:${stripePort()}/_fake/state`)).json();
      throw new Error(`${err.message}\nwebhook deliveries: ${JSON.stringify(state.deliveries.slice(-8))}`);
    });
  await expect(page.getByTestId('plan-card')).toContainText('Pro plan');
  await expect(slot).toContainText('A payment method is on file');
  await expect(page.getByTestId('subscription')).toContainText('active');
  const invoice = page.getByTestId('invoice-row');
  await expect(invoice).toHaveCount(1);
  await expect(invoice).toContainText('Paid');
  await expect(invoice).toContainText('$20.00');
  await expect(invoice.getByRole('link', { name: 'View' })).toHaveAttribute('href', /\/i\/in_/);

  // Still usable on a phone: no sideways scroll with the invoice list.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId('invoice-row')).toContainText('$20.00');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // Manage payment opens Stripe's portal for this customer, which leads back to Billing.
  await page.getByRole('button', { name: 'Manage payment' }).click();
  await page.waitForURL(/\/p\/session\/bps_/);
  await expect(page.getByText(/sub_\w+: active/)).toBeVisible();
  await page.getByRole('link', { name: 'Return to Warren' }).click();
  await page.waitForURL(`/${slug}/billing`);
  await expect(page.getByTestId('plan-card')).toContainText('Pro plan');
});
