import { parseArgs } from 'node:util';

/** A mistake in how the CLI was called: printed with the usage, exit status 1. */
export class UsageError extends Error {}

export const USAGE = `Usage: warren <command> [options]   (in the repository: npm run warren -- <command>)

With an API key (see "warren sandbox help"): login, logout, sandbox create|ls|get|rm|exec|shell|cp|logs|snapshot|fork|expose, mcp

Operator commands, on the console's host:
  org create --name NAME --owner EMAIL [--slug SLUG]
      Create an org owned by an existing account. Prints the org slug on the last line.
  apikey create --org SLUG [--name NAME] [--role ROLE] [--expires-in-days N]
      Create an API key for an org (role: owner, admin, developer (default), viewer, billing).
      Prints the key alone on the last line; it is not shown again.
  admin create --email EMAIL --password PASSWORD
      Create a platform admin, or promote an existing account and set its password.
  admin reset-password --email EMAIL --password PASSWORD
      Set a new password for an account.
  runner add --id ID --url URL --token TOKEN [--name NAME]
      Register another host's runner for placement (URL: http://HOST:PORT or unix:/path.sock).
  runner list | runner remove --id ID
      Show registered runners with their state and capacity; unregister one.
  secrets rotate-key [--prune]
      Rotate the secrets vault's key: add a key version (in $WARREN_DATA_DIR/secrets-key; with
      WARREN_SECRETS_KEY set, add it there first) and re-wrap every secret under it while consoles
      keep serving. --prune then removes the older versions from the key file.
  help
      Show this text.

The CLI uses the console's database: DATABASE_URL when set, otherwise the embedded database in
WARREN_DATA_DIR (default .warren), shared with a running console.`;

type Spec = Record<string, { required?: boolean; boolean?: boolean }>;

/** Parses `--flag value` options strictly: unknown flags and missing values are usage errors. */
export function flags<S extends Spec>(argv: string[], spec: S): { [K in keyof S]: S[K]['required'] extends true ? string : string | undefined } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(spec).map(([k, o]) => [k, { type: o.boolean ? ('boolean' as const) : ('string' as const) }])),
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  for (const [name, opt] of Object.entries(spec)) {
    if (opt.required && !values[name]) throw new UsageError(`Missing --${name}`);
  }
  return values as never;
}
