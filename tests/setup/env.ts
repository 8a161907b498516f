import { inject } from 'vitest';
import { secretsKeyFileFor } from './test-leftovers';

process.env.DATABASE_URL = inject('databaseUrl');
process.env.AUTH_SECRET ??= 'test-secret-test-secret-test-secret';
process.env.WARREN_DATA_DIR ??= `/tmp/warren-test-${process.pid}`;

// Every test worker shares one vault key file, as consoles sharing a database would (a key
// rotation in one worker is then seen by all, and rows written by one decrypt in another).
process.env.WARREN_SECRETS_KEY_FILE ??= secretsKeyFileFor(process.env.DATABASE_URL ?? '');

// Sandboxes a test creates without naming a template get the built-in host template (the host's
// /usr read-only), never the platform's Debian one, whose build runs mmdebstrap for minutes
// (tests/console/template-debian.test.ts covers that default with the archive closed).
process.env.WARREN_DEFAULT_TEMPLATE ??= 'host';
