import { startBillingEnforcer } from '@/lib/billing/enforcer';
import type { BootHook } from './boot';

/** Stops the sandboxes of orgs that cannot pay, after the grace period (lib/billing/enforcer.ts). */
export const billingEnforcer: BootHook = async () => startBillingEnforcer();
