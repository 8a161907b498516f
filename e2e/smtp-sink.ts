import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

/**
 * Playwright's global setup: a real SMTP server (smtp-server) on loopback for the whole run. The
 * e2e console's SMTP_URL points here (playwright.config.ts), so invitations and reset links go
 * out by SMTP exactly as in production; every message lands as a JSON file (envelope + raw
 * MIME) in $WARREN_E2E_DIR/mail, where the specs read it (e2e/mailbox.ts).
 */
export const smtpPort = () => Number(process.env.WARREN_E2E_SMTP_PORT ?? Number(process.env.WARREN_E2E_PORT ?? 3100) + 25);

export default async function startSmtpSink() {
  const dir = path.join(process.env.WARREN_E2E_DIR!, 'mail');
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 500,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        n += 1;
        const to = session.envelope.rcptTo.map((r) => r.address);
        const file = path.join(dir, `${Date.now()}-${String(n).padStart(4, '0')}.json`);
        // Written whole, then renamed: a reader never sees half a message.
        fs.writeFileSync(`${file}.tmp`, JSON.stringify({ to, raw: Buffer.concat(chunks).toString('utf8') }));
        fs.renameSync(`${file}.tmp`, file);
        cb(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(smtpPort(), '127.0.0.1', () => resolve());
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
