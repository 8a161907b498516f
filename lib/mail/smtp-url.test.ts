import { describe, expect, it } from 'vitest';
import { parseSmtpUrl, smtpUrlProblem } from './smtp-url';

describe('SMTP_URL', () => {
  it('reads host, port (587 / 465 by scheme), TLS mode and a percent-encoded login', () => {
    expect(parseSmtpUrl('smtp://mail.example')).toEqual({ host: 'mail.example', port: 587, secure: false, label: 'mail.example:587' });
    expect(parseSmtpUrl('smtps://ada:p%40ss%3Aw%2Frd@mail.example')).toMatchObject({
      port: 465,
      secure: true,
      auth: { user: 'ada', pass: 'p@ss:w/rd' },
      label: 'mail.example:465',
    });
    expect(parseSmtpUrl('smtp://[::1]:2525?requireTLS=true&tls.rejectUnauthorized=false')).toMatchObject({
      host: '::1',
      port: 2525,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
  });

  it('refuses other schemes, unknown options and broken encoding without quoting the URL', () => {
    const secret = 'hunter2-secret';
    for (const bad of [`http://u:${secret}@h`, `smtp://u:${secret}@h?pool=true`, `smtp://u:${secret}%ZZ@h`, `not a url ${secret}`]) {
      const problem = smtpUrlProblem(bad);
      expect(problem).toMatch(/^SMTP_URL/);
      expect(problem).not.toContain(secret);
    }
    expect(smtpUrlProblem('smtp://u:p@h:25')).toBeNull();
  });
});
