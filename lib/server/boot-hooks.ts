import { ensureFirstAdmin } from '@/lib/admin/bootstrap';
import type { BootHook } from './boot';
import { embeddedRunner } from './embedded-runner';

// Order matters: the first admin exists before anything serves; the runner before sandboxes.
export const bootHooks: BootHook[] = [ensureFirstAdmin, embeddedRunner];
