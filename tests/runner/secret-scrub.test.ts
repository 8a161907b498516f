import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hostHeaderMatches, substitute } from '@/runner/runtime/egress-intercept';
import { loadEgressTestMode } from '@/runner/runtime/egress-test-mode';
import { ScrubStream } from '@/runner/runtime/secret-scrub';

/** The proxy's pure parts: scrubbing across chunks, header substitution, Host matching, the test flag. */
const VALUE = 'sk-live-0123456789abcdef';
const PH = 'warren-secret-aaaaaaaaaaaaaaaa';

async function through(chunks: Buffer[], reps = [{ from: Buffer.from(VALUE), to: Buffer.from(PH) }]): Promise<string> {
  const s = new ScrubStream(reps);
  const out: Buffer[] = [];
  const src = new PassThrough();
  src.pipe(s);
  s.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((r) => s.on('end', r));
  for (const c of chunks) src.write(c);
  src.end();
  await done;
  return Buffer.concat(out).toString();
}

describe('scrubbing answers', () => {
  it('replaces every occurrence, split at every possible point and in one-byte chunks', async () => {
    const body = `{"a":"${VALUE}","b":"x${VALUE}${VALUE}y"}`;
    const want = body.split(VALUE).join(PH);
    for (let cut = 0; cut <= body.length; cut++) {
      expect(await through([Buffer.from(body.slice(0, cut)), Buffer.from(body.slice(cut))])).toBe(want);
    }
    expect(await through([...Buffer.from(body)].map((b) => Buffer.from([b])))).toBe(want);
    expect(await through([Buffer.from('no secret here')])).toBe('no secret here');
    expect(await through([Buffer.from(VALUE.slice(0, -1))])).toBe(VALUE.slice(0, -1)); // a prefix alone is kept
  });
});

describe('substituting request headers', () => {
  const secret = { name: 'K', placeholder: PH, hosts: ['api.example.com'], value: VALUE, revision: 1 };
  it('replaces the placeholder, also inside a Basic credential, and scrubs what it built', () => {
    const reps: { from: Buffer; to: Buffer }[] = [];
    expect(substitute('x-api-key', `${PH}`, [secret], reps)).toBe(VALUE);
    const basic = Buffer.from(`token:${PH}`).toString('base64');
    const out = substitute('authorization', `Basic ${basic}`, [secret], reps);
    expect(Buffer.from(out.split(' ')[1]!, 'base64').toString()).toBe(`token:${VALUE}`);
    expect(reps.map((r) => r.to.toString())).toEqual([basic]);
    expect(substitute('authorization', `Bearer ${PH}`, [], [])).toBe(`Bearer ${PH}`); // not this host's
  });
  it('matches the Host header to the CONNECT target exactly', () => {
    expect(hostHeaderMatches('api.example.com', 'api.example.com', 443)).toBe(true);
    expect(hostHeaderMatches('API.example.com.:443', 'api.example.com', 443)).toBe(true);
    expect(hostHeaderMatches('api.example.com:8443', 'api.example.com', 443)).toBe(false);
    expect(hostHeaderMatches('evil.com', 'api.example.com', 443)).toBe(false);
    expect(hostHeaderMatches('api.example.com@evil.com', 'api.example.com', 443)).toBe(false);
    expect(hostHeaderMatches(undefined, 'api.example.com', 443)).toBe(false);
  });
});

describe('the test-only egress flag', () => {
  it('is refused without NODE_ENV=test, and off when unset', () => {
    expect(() => loadEgressTestMode({ NODE_ENV: 'production', WARREN_TEST_EGRESS_HOSTS: 'x.test=127.0.0.1' })).toThrow(/test-only.*NODE_ENV=test/);
    expect(() => loadEgressTestMode({ WARREN_TEST_EGRESS_CA: '/tmp/ca.pem' } as unknown as NodeJS.ProcessEnv)).toThrow(/NODE_ENV=test/);
    expect(loadEgressTestMode({ NODE_ENV: 'production' })).toBeNull();
    expect(loadEgressTestMode({ NODE_ENV: 'test', WARREN_TEST_EGRESS_HOSTS: 'X.test=127.0.0.1' })?.hosts.get('x.test')).toBe('127.0.0.1');
    expect(() => loadEgressTestMode({ NODE_ENV: 'test', WARREN_TEST_EGRESS_HOSTS: 'x.test=not-an-ip' })).toThrow(/name=ip/);
    loadEgressTestMode({} as unknown as NodeJS.ProcessEnv);
  });
});
