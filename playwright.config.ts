import { defineConfig, devices } from '@playwright/test';
import { E2E_STRIPE, stripePort } from './e2e/fake-stripe';
import { smtpPort } from './e2e/smtp-sink';

// One fresh data dir per run, set once in the main process so workers inherit the same value.
process.env.WARREN_E2E_DIR ??= `/tmp/warren-e2e-${Date.now().toString(36)}`;
const port = Number(process.env.WARREN_E2E_PORT ?? 3100);
export const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: 'e2e',
  // Earlier runs' leftovers removed (e2e/stale-runs.ts); a real SMTP server on loopback that the
  // console delivers to (e2e/smtp-sink.ts), and the fake Stripe its SDK talks to (e2e/fake-stripe.ts).
  globalSetup: ['./e2e/stale-runs.ts', './e2e/smtp-sink.ts', './e2e/fake-stripe.ts'],
  globalTeardown: './e2e/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? 'list' : [['list']],
  use: {
    baseURL,
    // A failed spec keeps its trace (every action, locator, network call and console message)
    // and a screenshot. Not the trace's screencast nor its DOM snapshots: recording them for
    // every spec (to keep only a failed one's) took a third of the run's CPU and then another
    // 12% (three heavy specs 176 → 144 s, 283 → 227 s of CPU, 2026-12-04).
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: false },
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium; never a downloaded browser.
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    // The production build with the embedded database and runner, exactly as a newcomer gets it.
    command: 'npx tsx --max-semi-space-size=64 server.ts', // as scripts/up starts it
    url: `${baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      // Parallel runs on one machine would fight over the gateway's default port; e2e does not use it.
      WARREN_E2B_PORT: '0',
      WARREN_DATA_DIR: process.env.WARREN_E2E_DIR,
      WARREN_ADMIN_EMAIL: 'admin@warren.test',
      WARREN_ADMIN_PASSWORD: 'admin-password-e2e',
      WARREN_LOG_LEVEL: 'warn',
      // The runner keeps sandboxes across restarts by design, so a warm pool started for a
      // throw-away data dir would outlive the run (containers, loop mounts). Tests that need
      // sandboxes create them and delete them.
      WARREN_RUNNER_POOL_SIZE: '0',
      // Sandboxes start from the built-in host template (allowed explicitly: this is a production
      // build), so no spec waits minutes for the Debian base's mmdebstrap build.
      WARREN_DEFAULT_TEMPLATE: 'host',
      WARREN_HOST_TEMPLATE: 'on',
      // The suite signs up more people from one address than the default hourly limit allows.
      WARREN_SIGNUP_LIMIT_PER_HOUR: '0',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort()}`,
      MAIL_FROM: 'Warren E2E <warren@warren.test>',
      STRIPE_SECRET_KEY: E2E_STRIPE.secretKey,
      STRIPE_WEBHOOK_SECRET: E2E_STRIPE.webhookSecret,
      STRIPE_USAGE_PRICE_ID: E2E_STRIPE.usagePriceId,
      STRIPE_METER_EVENT_NAME: E2E_STRIPE.meterEventName,
      STRIPE_API_BASE: `http://127.0.0.1:${stripePort()}`,
    },
  },
});
