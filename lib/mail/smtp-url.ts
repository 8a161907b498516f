/**
 * SMTP_URL → nodemailer connection settings. Kept free of imports so env validation can use it.
 * Error messages never quote the URL: it holds a password.
 */
export type SmtpSettings = {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  requireTLS?: boolean;
  tls?: { rejectUnauthorized: boolean };
  /** host:port, safe to show admins and to log. */
  label: string;
};

/** The reason a SMTP_URL is refused, or null when it is usable. Used by env validation too. */
export function smtpUrlProblem(raw: string): string | null {
  try {
    parseSmtpUrl(raw);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function parseSmtpUrl(raw: string): SmtpSettings {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('SMTP_URL is not a URL: use smtp://user:password@host:587 or smtps://…:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('SMTP_URL must start with smtp:// or smtps://');
  if (!url.hostname) throw new Error('SMTP_URL has no host');
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const out: SmtpSettings = { host: url.hostname.replace(/^\[|\]$/g, ''), port, secure, label: `${url.hostname}:${port}` };
  // Percent-encoded in the URL, so a password may hold '@', ':' or '/'.
  if (url.username) out.auth = { user: decode(url.username), pass: decode(url.password) };
  for (const [key, value] of url.searchParams) {
    if (key === 'requireTLS') out.requireTLS = value === 'true';
    else if (key === 'tls.rejectUnauthorized') out.tls = { rejectUnauthorized: value !== 'false' };
    else throw new Error('SMTP_URL has an unknown option: the known ones are requireTLS and tls.rejectUnauthorized');
  }
  return out;
}


function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new Error('SMTP_URL: the user name or password has broken percent-encoding');
  }
}
