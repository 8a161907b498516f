import { AppError } from '@/lib/errors';

/**
 * Which template a create that names none (and whose org has set no default) gets, and whether
 * the built-in `host` template (the host's /usr read-only) may be used at all.
 *
 * - `WARREN_DEFAULT_TEMPLATE`: `base` (alias `debian`, the default) is the platform's Debian
 *   template (lib/templates/debian.ts); `host` (alias `default`) is the built-in one. Tests,
 *   e2e and benches set `host` so they never run mmdebstrap.
 * - `WARREN_HOST_TEMPLATE`: `on`/`off`; unset, it is on except under NODE_ENV=production. A
 *   production host exposes its own /usr to tenants only when an operator says so.
 *
 * Both are read at each use (not cached), so tests can switch them between cases.
 */
export type PlatformDefault = 'host' | 'debian';

const HOST_NAMES = new Set(['host', 'default']);
const DEBIAN_NAMES = new Set(['base', 'debian']);

/** `base` is what users and E2B call the default image: it names the Debian template. */
export const BASE_ALIAS = 'base';

export function platformDefaultTemplate(): PlatformDefault {
  const v = (process.env.WARREN_DEFAULT_TEMPLATE ?? '').trim().toLowerCase();
  if (!v || DEBIAN_NAMES.has(v)) return 'debian';
  if (HOST_NAMES.has(v)) return 'host';
  throw new AppError('internal', `WARREN_DEFAULT_TEMPLATE=${v} is not a template this server knows: use base (Debian) or host`);
}

export function hostTemplateEnabled(): boolean {
  const v = (process.env.WARREN_HOST_TEMPLATE ?? '').trim().toLowerCase();
  if (['on', '1', 'true', 'yes'].includes(v)) return true;
  if (['off', '0', 'false', 'no'].includes(v)) return false;
  return process.env.NODE_ENV !== 'production';
}

/** A 400 naming the setting: the built-in host template is off on this server. */
export function hostTemplateOff(viaDefault = false): AppError {
  return new AppError(
    'bad_request',
    viaDefault
      ? 'This server’s default template is host (WARREN_DEFAULT_TEMPLATE=host), but the host template is turned off (WARREN_HOST_TEMPLATE=on turns it on); name another template, or an operator changes one of the settings'
      : 'The host template (the host’s /usr read-only) is turned off on this server; an operator turns it on with WARREN_HOST_TEMPLATE=on. Use template base (Debian) or one of GET /api/v1/templates',
    { setting: 'WARREN_HOST_TEMPLATE' },
  );
}

/** Throws when the host template is named (or is the default) while it is off. */
export function assertHostTemplateEnabled(viaDefault = false): void {
  if (!hostTemplateEnabled()) throw hostTemplateOff(viaDefault);
}

/** A refusal at start for a value that names nothing (every create would fail otherwise). */
export function checkTemplateSettings(): { default: PlatformDefault; host: boolean } {
  return { default: platformDefaultTemplate(), host: hostTemplateEnabled() };
}
