import nodemailer, { type Transporter } from 'nodemailer';
import { mailFrom, type SmtpSettings, withoutSecrets } from './config';

/**
 * One SMTP delivery through nodemailer. Deadlines are short because the first attempt of an
 * invitation runs inside the request that created it: a mail server that accepts and never
 * answers costs the person ~10 s and a retry later, not a hung page.
 */
export type DeliveryResult = { ok: true } | { ok: false; permanent: boolean; error: string };
export type OutgoingMessage = { to: string; subject: string; text: string; html: string | null };

const transports = new Map<string, Transporter>();

function transportFor(settings: SmtpSettings): Transporter {
  const key = JSON.stringify(settings);
  let t = transports.get(key);
  if (!t) {
    t = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: settings.auth,
      requireTLS: settings.requireTLS,
      tls: settings.tls,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // Bodies are our own strings: never let a message make the console read a file or a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
    transports.set(key, t);
  }
  return t;
}

export async function deliver(settings: SmtpSettings, message: OutgoingMessage): Promise<DeliveryResult> {
  try {
    await transportFor(settings).sendMail({
      from: mailFrom(),
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, permanent: isPermanent(err), error: describeError(err, settings) };
  }
}

/**
 * A 5xx answer to the envelope or the message (no such mailbox, message refused) will not
 * change on retry. Everything else may: 4xx answers, refused or dropped connections, timeouts,
 * TLS trouble, and also authentication failures (a fixed SMTP_URL and a restart deliver them).
 */
function isPermanent(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number };
  return (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && typeof e.responseCode === 'number' && e.responseCode >= 500;
}

function describeError(err: unknown, settings: SmtpSettings): string {
  const e = err as { message?: string; code?: string };
  const text = `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`;
  return withoutSecrets(text, settings).slice(0, 500);
}
