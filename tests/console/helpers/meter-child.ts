/**
 * A console-like process for the meter crash tests: one usage-reporting pass with the real
 * reporter (lib/stripe/reconciler.ts) at METER_NOW for METER_ORGS, then `result <json>`. With
 * WARREN_STRIPE_FAULT set (and NODE_ENV=test) it kills itself with SIGKILL at that point,
 * exactly as `kill -9` would, leaving whatever it had written.
 */
import { closeDb } from '@/db';
import { reportUsage } from '@/lib/stripe/reconciler';

const result = await reportUsage({ now: new Date(process.env.METER_NOW!), settleMs: 0, orgIds: process.env.METER_ORGS!.split(',') });
console.log(`result ${JSON.stringify(result)}`);
await closeDb();
process.exit(0);
