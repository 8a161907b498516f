import { env } from '@/lib/env';
import { parseSmtpUrl, type SmtpSettings } from './smtp-url';

export type { SmtpSettings };

/**
 * Mail configuration from SMTP_URL and MAIL_FROM. Read from process.env at each use (and the
 * parse cached per raw value) rather than through env()'s one-time cache, so a test can point
 * the console at its own SMTP server. SMTP_URL holds a password: nothing here ever puts the
 * URL, or the password, into a message, a log line or an error.
 */
let cache: { raw: string; settings: SmtpSettings } | undefined;

/** null: no SMTP_URL, every message stays in the outbox. Throws (without the value) on a bad URL. */
export function smtpSettings(): SmtpSettings | null {
  const raw = process.env.SMTP_URL?.trim();
  if (!raw) return null;
  if (cache?.raw === raw) return cache.settings;
  const settings = parseSmtpUrl(raw);
  cache = { raw, settings };
  return settings;
}

/** MAIL_FROM, or "Warren <no-reply@host of the public URL>". */
export function mailFrom(): string {
  const from = process.env.MAIL_FROM?.trim();
  if (from) return from;
  return `Warren <no-reply@${new URL(env().publicUrl).hostname}>`;
}

/** Removes the SMTP password (raw and as written in the URL) from a text that may echo it. */
export function withoutSecrets(message: string, settings: SmtpSettings | null): string {
  let out = message;
  const raw = process.env.SMTP_URL?.trim();
  const secrets = [raw, settings?.auth?.pass, raw ? safeUrl(raw)?.password : undefined].filter((s): s is string => !!s && s.length >= 3);
  for (const s of secrets) out = out.split(s).join('[secret]');
  return out;
}

function safeUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}
