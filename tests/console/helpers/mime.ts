/**
 * Just enough MIME to read what nodemailer writes (RFC 5322 headers, encoded words,
 * multipart/alternative, quoted-printable and base64 parts), so tests assert on the message a
 * mail client would show rather than on our own objects. Shared with the e2e specs.
 */
export type ParsedMail = { headers: Map<string, string>; subject: string; text: string; html: string | null };

type Part = { headers: Map<string, string>; body: string };

function splitPart(raw: string): Part {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const headers = new Map<string, string>();
  // Folded header lines continue with whitespace.
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body };
}

function decodeQp(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
  }
  return Buffer.from(bytes);
}

function decodeBody(part: Part): string {
  const cte = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return decodeQp(part.body).toString('utf8');
  return part.body;
}

/** =?UTF-8?Q?…?= and =?UTF-8?B?…?= words in a header. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQp(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

function boundaryOf(contentType: string | undefined): string | null {
  const m = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  return m ? m[1]! : null;
}

function leaves(part: Part): Part[] {
  const boundary = boundaryOf(part.headers.get('content-type'));
  if (!boundary) return [part];
  return part.body
    .split(`--${boundary}`)
    .slice(1)
    .filter((chunk) => !chunk.startsWith('--'))
    .flatMap((chunk) => leaves(splitPart(chunk.replace(/^\r\n/, '').replace(/\r\n$/, ''))));
}

export function parseMail(raw: string): ParsedMail {
  const top = splitPart(raw);
  let text = '';
  let html: string | null = null;
  for (const leaf of leaves(top)) {
    const type = (leaf.headers.get('content-type') ?? 'text/plain').toLowerCase();
    if (type.startsWith('text/html')) html = decodeBody(leaf);
    else if (type.startsWith('text/plain')) text = decodeBody(leaf).replace(/\r\n/g, '\n').trimEnd();
  }
  return { headers: top.headers, subject: decodeHeader(top.headers.get('subject') ?? ''), text, html };
}

/** The first link to this console's path prefix (e.g. `/reset-password/`) in a mail's text. */
export function linkIn(mail: ParsedMail, pathPrefix: string): string {
  const m = new RegExp(`https?://[^\\s]+${pathPrefix.replace(/[/]/g, '\\/')}[\\w-]+`).exec(mail.text);
  if (!m) throw new Error(`no ${pathPrefix} link in:\n${mail.text}`);
  return m[0];
}
