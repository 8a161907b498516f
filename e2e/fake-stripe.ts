/**
 * Playwright's global setup: the fake Stripe (tests/fake-stripe) on loopback for the whole run,
 * beside the SMTP sink. The e2e console's STRIPE_API_BASE points here (playwright.config.ts), so
 * the official SDK talks to it; its hosted Checkout page sends the browser back to the console,
 * and its signed webhooks go to the console's /api/stripe/webhook.
 */
export const E2E_STRIPE = {
  secretKey: 'sk_test_warren_e2e',
  webhookSecret: 'whsec_warren_e2e',
  usagePriceId: 'price_e2e_usage',
  meterEventName: 'warren_usage_micros',
  /** The price the spec gives the Pro plan (as a platform admin would, through the admin API). */
  proPriceId: 'price_e2e_pro',
};

export const stripePort = () => Number(process.env.WARREN_E2E_STRIPE_PORT ?? Number(process.env.WARREN_E2E_PORT ?? 3100) + 26);

export default async function startE2eStripe() {
  const port = Number(process.env.WARREN_E2E_PORT ?? 3100);
  // Loaded here, not at the top: playwright.config.ts imports this file for the constants only.
  const { startFakeStripe } = await import('../tests/fake-stripe/server');
  const fake = await startFakeStripe({
    secretKey: E2E_STRIPE.secretKey,
    webhookSecret: E2E_STRIPE.webhookSecret,
    meterEventName: E2E_STRIPE.meterEventName,
    webhookUrl: `http://localhost:${port}/api/stripe/webhook`,
    port: stripePort(),
  });
  fake.store.addPrice({ id: E2E_STRIPE.usagePriceId, metered: true, unitAmountDecimal: '0.0001' });
  fake.store.addPrice({ id: E2E_STRIPE.proPriceId, unitAmount: 2000 });
  return () => fake.close();
}
