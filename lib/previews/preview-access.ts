import { signToken, verifyToken } from '@/lib/crypto/signed-token';
import { env } from '@/lib/env';

/**
 * Preview URLs are `http://{port}-{sandboxId}.{WARREN_PREVIEW_DOMAIN}:{PORT}`. A private preview
 * is opened with a token scoped to one sandbox AND one port (a token for port 3000 never opens
 * port 8000), minted by the console for a signed-in member and kept in a host-only cookie.
 */
export const PREVIEW_COOKIE = 'warren_preview';
export const PREVIEW_TOKEN_PARAM = 'warren_token';
const PURPOSE = 'preview';
const TTL_SEC = 12 * 3600;

export type PreviewTarget = { port: number; sandboxId: string };

export function previewHost(t: PreviewTarget): string {
  const e = env();
  return `${t.port}-${t.sandboxId}.${e.WARREN_PREVIEW_DOMAIN}`;
}

export function previewUrl(t: PreviewTarget): string {
  const e = env();
  const publicPort = new URL(e.publicUrl).port;
  return `${new URL(e.publicUrl).protocol}//${previewHost(t)}${publicPort ? `:${publicPort}` : ''}/`;
}

/** Parses a Host header; null when it is not one of our preview hosts. */
export function parsePreviewHost(host: string | undefined): PreviewTarget | null {
  if (!host) return null;
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${env().WARREN_PREVIEW_DOMAIN.toLowerCase()}`;
  if (!name.endsWith(suffix)) return null;
  const m = /^(\d{1,5})-([a-z0-9]{3,40})$/.exec(name.slice(0, -suffix.length));
  if (!m) return null;
  const port = Number(m[1]);
  return port >= 1 && port <= 65535 ? { port, sandboxId: m[2]! } : null;
}

export function issuePreviewToken(t: PreviewTarget): string {
  return signToken(PURPOSE, { sandboxId: t.sandboxId, port: t.port }, TTL_SEC);
}

export function previewTokenAllows(token: string | null | undefined, t: PreviewTarget): boolean {
  const c = verifyToken<{ sandboxId: string; port: number }>(PURPOSE, token);
  return Boolean(c && c.sandboxId === t.sandboxId && c.port === t.port);
}
