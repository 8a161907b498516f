/**
 * The operator commands (org, apikey, admin, runner) over the console's own services and
 * database. Output for scripts is on the last line of stdout; errors go to stderr with exit
 * status 1. cli/main.ts sends everything else (the API-key commands) to cli/agent/.
 */
import { ZodError } from 'zod';
import { closeDb } from '@/db';
import { env } from '@/lib/env';
import { isAppError } from '@/lib/errors';
import { persistentSecret } from '@/lib/server/secrets-file';
import { USAGE, UsageError } from './args';
import { commands } from './commands';

async function main(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    console.log(USAGE);
    return group ? 0 : 1;
  }
  const command = commands[`${group} ${action ?? ''}`];
  if (!command) throw new UsageError(`Unknown command: ${[group, action].filter(Boolean).join(' ')}`);
  await command(rest, (line) => console.log(line));
  return 0;
}

function explain(err: unknown): string {
  if (err instanceof UsageError) return `${err.message}\n\n${USAGE}`;
  if (isAppError(err)) return err.message;
  if (err instanceof ZodError) {
    const i = err.issues[0];
    return `Invalid ${i?.path.join('.') || 'input'}: ${i?.message ?? 'invalid value'}`;
  }
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

let code = 1;
// The same secret as the console (runner tokens are encrypted with a key derived from it).
process.env.AUTH_SECRET ??= persistentSecret(env().dataDir, 'auth-secret');
try {
  code = await main(process.argv.slice(2));
} catch (err) {
  console.error(`warren: ${explain(err)}`);
} finally {
  // Always release the database: an open PGlite or socket connection would keep the process alive.
  await closeDb().catch(() => {});
}
process.exit(code);
