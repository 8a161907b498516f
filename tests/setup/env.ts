import { inject } from 'vitest';

process.env.DATABASE_URL = inject('databaseUrl');
process.env.AUTH_SECRET ??= 'test-secret-test-secret-test-secret';
process.env.WARREN_DATA_DIR ??= `/tmp/warren-test-${process.pid}`;
