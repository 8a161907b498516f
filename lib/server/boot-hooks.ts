import { ensureFirstAdmin } from '@/lib/admin/bootstrap';
import { authCacheBus } from './auth-cache-bus';
import { baseTemplate } from './base-template';
import { billingEnforcer } from './billing-enforcer';
import type { BootHook } from './boot';
import { e2bCompat } from './e2b-compat';
import { embeddedRunner } from './embedded-runner';
import { execLogJournal } from './exec-log-journal';
import { liveRoutes } from './live-routes';
import { mailSender } from './mail-sender';
import { retentionSweep } from './retention-sweep';
import { sandboxReconciler } from './sandbox-reconciler';
import { stripeBilling } from './stripe-billing';
import { templateBuilds } from './template-builds';
import { usageMeter } from './usage-meter';

// Order matters: the first admin exists before anything serves (and memos are invalidated
// across consoles before anything serves); the runner before sandboxes;
// builds a restart cut short resume before the base template's is looked at.
export const bootHooks: BootHook[] = [ensureFirstAdmin, authCacheBus, execLogJournal, embeddedRunner, sandboxReconciler, templateBuilds, baseTemplate, usageMeter, billingEnforcer, stripeBilling, retentionSweep, mailSender, liveRoutes, e2bCompat];
