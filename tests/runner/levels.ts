import type { Isolation } from '@/runner/sandbox/types';

/**
 * The isolation levels the runner's sandbox tests run at (a `describe.each` over these). The
 * test host must be able to run both: gVisor's runsc is part of the setup (scripts/up).
 */
export const ISOLATION_LEVELS: Isolation[] = ['container', 'gvisor'];
