import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { type ParsedMail, parseMail } from './mime';

/**
 * A real SMTP server on loopback (smtp-server, from the nodemailer project) that keeps what it
 * receives. Tests point SMTP_URL at it, and can make it refuse recipients or messages with any
 * SMTP answer, or require a password, to drive the console's real delivery code.
 */
export type Received = ParsedMail & { from: string; to: string[]; raw: string };
export type SmtpAnswer = { code: number; message: string } | null;

type Options = {
  auth?: { user: string; pass: string };
  /** Answer to RCPT TO, e.g. 550 for an unknown mailbox. */
  refuseRcpt?: (to: string) => SmtpAnswer;
  /** Answer after DATA; `n` counts messages offered so far (1-based), e.g. 451 for the first. */
  refuseData?: (n: number, to: string[]) => SmtpAnswer;
  /** Take the message and never answer (a server that hangs mid-delivery). */
  hold?: boolean;
};

const refusal = (a: NonNullable<SmtpAnswer>) => Object.assign(new Error(a.message), { responseCode: a.code });

export async function startSmtpServer(opts: Options = {}) {
  const received: Received[] = [];
  const authFailures: string[] = [];
  let offered = 0;
  const server = new SMTPServer({
    // Plain text on loopback: STARTTLS would need a certificate the client trusts.
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    // Connections a test left open (a held message) must not keep close() waiting 30 s.
    closeTimeout: 500,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.auth?.user && auth.password === opts.auth?.pass) return cb(null, { user: auth.username });
      authFailures.push(auth.username ?? '');
      cb(refusal({ code: 535, message: 'Authentication credentials invalid' }));
    },
    onRcptTo(address, _session, cb) {
      const answer = opts.refuseRcpt?.(address.address) ?? null;
      cb(answer ? refusal(answer) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        offered += 1;
        if (opts.hold) return;
        const to = session.envelope.rcptTo.map((r) => r.address);
        const answer = opts.refuseData?.(offered, to) ?? null;
        if (answer) return cb(refusal(answer));
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ ...parseMail(raw), from, to, raw });
        cb(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const creds = opts.auth ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@` : '';

  return {
    port,
    url: `smtp://${creds}127.0.0.1:${port}`,
    received,
    authFailures,
    offered: () => offered,
    /** The messages to this address so far. */
    to: (address: string) => received.filter((m) => m.to.includes(address)),
    /** Resolves with the first message to `address` (optionally matching), or fails after `ms`. */
    async waitFor(address: string, match: (m: Received) => boolean = () => true, ms = 10_000): Promise<Received> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = received.find((m) => m.to.includes(address) && match(m));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${ms} ms (got ${received.length} in all)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpServer>>;
