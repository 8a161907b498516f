import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';
import { type ParsedMail, parseMail } from '../tests/console/helpers/mime';

/** What the e2e SMTP server (e2e/smtp-sink.ts) received, read as a mail client would. */
export type Mail = ParsedMail & { to: string[] };

export function mailTo(address: string): Mail[] {
  const dir = path.join(process.env.WARREN_E2E_DIR!, 'mail');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { to: string[]; raw: string })
    .filter((m) => m.to.includes(address))
    .map((m) => ({ ...parseMail(m.raw), to: m.to }));
}

/** Waits for the nth message to an address and returns it. */
export async function waitForMail(address: string, nth = 1): Promise<Mail> {
  await expect.poll(() => mailTo(address).length, { timeout: 15_000, message: `mail to ${address}` }).toBeGreaterThanOrEqual(nth);
  return mailTo(address)[nth - 1]!;
}

/** The path of the first link in a mail's text that goes to this console under `prefix`. */
export function linkPath(mail: Mail, prefix: string): string {
  const m = new RegExp(`https?://[^\\s/]+(${prefix}[\\w-]+)`).exec(mail.text);
  if (!m) throw new Error(`no ${prefix} link in:\n${mail.text}`);
  return m[1]!;
}
