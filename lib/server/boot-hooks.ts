import { ensureFirstAdmin } from '@/lib/admin/bootstrap';
import { billingEnforcer } from './billing-enforcer';
import type { BootHook } from './boot';
import { embeddedRunner } from './embedded-runner';
import { liveRoutes } from './live-routes';
import { mailSender } from './mail-sender';
import { retentionSweep } from './retention-sweep';
import { sandboxReconciler } from './sandbox-reconciler';
import { stripeBilling } from './stripe-billing';
import { usageMeter } from './usage-meter';

// Order matters: the first admin exists before anything serves; the runner before sandboxes.
export const bootHooks: BootHook[] = [ensureFirstAdmin, embeddedRunner, sandboxReconciler, usageMeter, billingEnforcer, stripeBilling, retentionSweep, mailSender, liveRoutes];
