import { env } from '@/lib/env';
import { randomToken } from '@/lib/ids';
import type { BootHook } from '@/lib/server/boot';
import { createPlatformAdmin, listPlatformAdmins } from './admins';

export const DEFAULT_ADMIN_EMAIL = 'admin@warren.localhost';
const RESET_HINT = 'npm run warren -- admin reset-password --email <email> --password <new password>';

/**
 * First start: make sure a platform admin exists. From WARREN_ADMIN_EMAIL/PASSWORD when set,
 * otherwise admin@warren.localhost with a generated password. The password is printed once,
 * on stdout, because the operator has no other way to learn it; it is never logged or stored
 * in clear. Later starts print only who the admins are and how to reset a password.
 */
export const ensureFirstAdmin: BootHook = async ({ log }) => {
  const admins = await listPlatformAdmins();
  if (admins.length > 0) {
    const emails = admins.map((a) => a.email).join(', ');
    console.log(
      banner([
        `Warren admin account: ${emails}`,
        'The password was printed when this console first started.',
        `Forgot it? ${RESET_HINT}`,
      ]),
    );
    return undefined;
  }
  const e = env();
  const email = e.WARREN_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL;
  const password = e.WARREN_ADMIN_PASSWORD ?? randomToken(18);
  const { created } = await createPlatformAdmin(email, password, 'first start');
  log.info({ email, created }, 'first platform admin ready');
  console.log(
    banner([
      'Warren admin account (first start: save this now)',
      `  email:    ${email}`,
      `  password: ${e.WARREN_ADMIN_PASSWORD ? '(the one in WARREN_ADMIN_PASSWORD)' : password}`,
      `Sign in at ${e.publicUrl}/sign-in`,
    ]),
  );
  return undefined;
};

function banner(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = '='.repeat(width);
  return ['', rule, ...lines.map((l) => `  ${l}`), rule, ''].join('\n');
}
