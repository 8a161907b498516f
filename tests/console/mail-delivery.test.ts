import { type ChildProcess, spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { closeDb, getDb, schema } from '@/db';
import { sendMail } from '@/lib/mail/send';
import { startMailSender } from '@/lib/mail/sender';
import { uniq } from './helpers/fixtures';
import { type SmtpSink, startSmtpServer } from './helpers/smtp-server';

/**
 * Delivery through a real SMTP server on loopback: statuses, permanent and temporary refusals,
 * retries by the background sender, a console killed mid-send, and the SMTP password kept out
 * of everything we store, answer or log.
 */
const servers: SmtpSink[] = [];
const start = async (opts?: Parameters<typeof startSmtpServer>[0]) => {
  const s = await startSmtpServer(opts);
  servers.push(s);
  return s;
};
const address = (tag: string) => `${tag}-${uniq()}@mail.example`;
const row = async (id: string) => {
  const db = await getDb();
  return (await db.select().from(schema.mailOutbox).where(eq(schema.mailOutbox.id, id)))[0]!;
};
/** Time passes for one row: its next attempt is due now. */
const makeDue = async (id: string) => {
  const db = await getDb();
  await db.update(schema.mailOutbox).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(schema.mailOutbox.id, id));
};
const until = async (check: () => Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

afterEach(() => {
  delete process.env.SMTP_URL;
  delete process.env.MAIL_FROM;
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await closeDb();
});

describe('mail delivery by SMTP', () => {
  it('delivers with a password login, from MAIL_FROM, and records the message as sent', async () => {
    const smtp = await start({ auth: { user: 'warren', pass: 'p@ss:w/rd 42' } });
    process.env.SMTP_URL = smtp.url;
    process.env.MAIL_FROM = 'Warren Test <robot@warren.example>';
    const to = address('hello');
    const result = await sendMail({ to, subject: 'Hello\r\nBcc: evil@elsewhere.example', text: 'Plain words.', html: '<p>Plain words.</p>', kind: 'test' });
    expect(result).toEqual({ id: expect.any(String), status: 'sent' });

    const got = smtp.to(to);
    expect(got).toHaveLength(1);
    expect(got[0]!.from).toBe('robot@warren.example');
    expect(got[0]!.headers.get('from')).toBe('Warren Test <robot@warren.example>');
    // A newline in a subject cannot add a header or a recipient.
    expect(got[0]!.subject).toBe('Hello Bcc: evil@elsewhere.example');
    expect(got[0]!.to).toEqual([to]);
    expect(got[0]!.headers.has('bcc')).toBe(false);
    expect(got[0]!.text).toBe('Plain words.');
    expect(got[0]!.html).toBe('<p>Plain words.</p>');
    expect(await row(result.id)).toMatchObject({ status: 'sent', attempts: 1, error: null, nextAttemptAt: null, sentAt: expect.any(Date) });
  });

  it('a wrong SMTP password is recorded and retried, never stored, answered or logged', async () => {
    const pass = 'right-password-1234';
    const smtp = await start({ auth: { user: 'warren', pass } });
    const wrong = 'wrong-password-5678';
    const url = smtp.url.replace(pass, wrong);
    const to = address('auth');
    const child = await runChild({ SMTP_URL: url, MAIL_TO: to, MAIL_MODE: 'send' });
    const result = JSON.parse(/result (.*)/.exec(child.output)![1]!);
    expect(result).toMatchObject({ status: 'queued', error: expect.stringMatching(/EAUTH.*535/) });
    expect(smtp.authFailures).toEqual(['warren']);
    const stored = await row(result.id);
    expect(stored).toMatchObject({ status: 'queued', attempts: 1 });
    for (const text of [child.output, JSON.stringify(stored), JSON.stringify(result)]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(url);
    }
    expect(child.output).toMatch(/mail not delivered/);

    // The operator fixes SMTP_URL and restarts: the background sender delivers it.
    process.env.SMTP_URL = smtp.url;
    await makeDue(result.id);
    const stop = startMailSender({ intervalMs: 100 });
    try {
      await smtp.waitFor(to);
      await until(async () => (await row(result.id)).status === 'sent');
    } finally {
      await stop();
    }
    expect(await row(result.id)).toMatchObject({ attempts: 2, error: null });
  });

  it('a 5xx refusal fails at once; a 4xx is retried until the server takes it', async () => {
    const smtp = await start({
      refuseRcpt: (to) => (to.startsWith('nobody-') ? { code: 550, message: 'No such mailbox here' } : null),
      refuseData: (n, to) => (to[0]!.startsWith('busy-') && n === 1 ? { code: 451, message: 'Try again later' } : null),
    });
    process.env.SMTP_URL = smtp.url;

    const gone = await sendMail({ to: address('nobody'), subject: 'x', text: 'x', kind: 'test' });
    expect(gone).toMatchObject({ status: 'failed', error: expect.stringMatching(/550 No such mailbox here/) });
    expect(await row(gone.id)).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: null });

    const to = address('busy');
    const busy = await sendMail({ to, subject: 'Retry me', text: 'x', kind: 'test' });
    expect(busy).toMatchObject({ status: 'queued', error: expect.stringMatching(/451 Try again later/) });
    const queued = await row(busy.id);
    // The first retry waits about 30 s.
    expect(queued.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(20_000);
    expect(smtp.to(to)).toHaveLength(0);

    await makeDue(busy.id);
    const stop = startMailSender({ intervalMs: 100 });
    try {
      expect((await smtp.waitFor(to)).subject).toBe('Retry me');
      await until(async () => (await row(busy.id)).status === 'sent');
    } finally {
      await stop();
    }
    expect(await row(busy.id)).toMatchObject({ attempts: 2, error: null });
  });

  it('gives up after five attempts', async () => {
    const smtp = await start({ refuseData: () => ({ code: 421, message: 'Service not available' }) });
    process.env.SMTP_URL = smtp.url;
    const { id } = await sendMail({ to: address('never'), subject: 'x', text: 'x', kind: 'test' });
    const stop = startMailSender({ intervalMs: 50 });
    try {
      for (let attempt = 2; attempt <= 5; attempt++) {
        await makeDue(id);
        await until(async () => (await row(id)).attempts === attempt);
      }
    } finally {
      await stop();
    }
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 5, nextAttemptAt: null, error: expect.stringMatching(/421/) });
  });

  it('a console killed mid-send leaves the message queued, and the sender delivers it after the restart', async () => {
    const hung = await start({ hold: true });
    const to = address('crash');
    const child = spawnChild({ SMTP_URL: hung.url, MAIL_TO: to, MAIL_MODE: 'queue' });
    const id = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /queued (\w+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`child exited early:\n${out}`)));
    });
    await until(async () => hung.offered() === 1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const left = await row(id);
    expect(left).toMatchObject({ status: 'queued', attempts: 0, sentAt: null });
    // Leased to the dead attempt for a few minutes; then any sender takes it over.
    expect(left.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);

    const smtp = await start();
    process.env.SMTP_URL = smtp.url;
    await makeDue(id);
    const stop = startMailSender({ intervalMs: 100 });
    try {
      expect((await smtp.waitFor(to)).text).toBe('Hello from the child.');
      await until(async () => (await row(id)).status === 'sent');
    } finally {
      await stop();
    }
  });
});

/** Node itself runs the child (tsx as a loader), so a kill reaches it: tsx's CLI would run it
 * as a grandchild, which a SIGKILL of the CLI left running (holding its SMTP session). */
function spawnChild(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'tests/console/helpers/mail-child.ts'], {
    env: { ...process.env, DATABASE_URL: inject('databaseUrl'), WARREN_LOG_LEVEL: 'info', ...env },
    cwd: process.cwd(),
  });
}

function runChild(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawnChild(env);
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}
