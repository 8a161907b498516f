import { afterAll, describe, expect, it } from 'vitest';
import { setOrgLimits } from '@/lib/sandboxes/limits';
import { makeTestOrg } from '../console/sandboxes-fixture';
import { NotFoundError, PermissionError, QuotaError, RateLimitError, Sandbox, UnavailableError, ValidationError } from '@/sdk/src/index';
import { sandboxes, warren } from './helpers/warren';

const pool = sandboxes();
afterAll(() => pool.cleanup());
const conn = (key = warren().key) => ({ apiUrl: warren().url, apiKey: key });

describe('SDK errors and retries', () => {
  it('maps API errors to typed errors', async () => {
    await expect(Sandbox.connect('no-such-sandbox', conn())).rejects.toBeInstanceOf(NotFoundError);
    await expect(Sandbox.create({ ...conn(warren().viewerKey) })).rejects.toBeInstanceOf(PermissionError);
    await expect(Sandbox.create({ ...conn(), cpu: 0.001 })).rejects.toBeInstanceOf(ValidationError);
    const quota = await Sandbox.create({ ...conn(), cpu: 64 }).catch((e) => e);
    expect(quota).toBeInstanceOf(QuotaError);
    expect(quota).toMatchObject({ limit: 'maxCpu', status: 429 });
    expect(quota.max).toBeGreaterThan(0);
    await expect(Sandbox.create({ apiUrl: 'http://127.0.0.1:9', apiKey: 'wrn_x', maxRetries: 0 })).rejects.toBeInstanceOf(UnavailableError);
  });

  it('a create whose answer was lost is retried under the same Idempotency-Key: one sandbox', async () => {
    const tag = `idem${Date.now()}`;
    let calls = 0;
    const keys: string[] = [];
    const lossy: typeof fetch = async (input, init) => {
      calls++;
      keys.push(new Headers(init?.headers).get('idempotency-key') ?? '');
      const res = await fetch(input, init);
      if (calls === 1) throw new TypeError('socket hang up'); // the sandbox was made; the answer never arrived
      return res;
    };
    const sb = pool.track(await Sandbox.create({ ...conn(), fetch: lossy, metadata: { tag } }));
    expect(calls).toBe(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect((await Sandbox.list({ ...conn(), metadata: { tag } })).map((s) => s.id)).toEqual([sb.id]);
  });

  it('RateLimitError carries Retry-After; with retries left the SDK waits it out', async () => {
    const org = await makeTestOrg();
    // A burst of 6, then a token every 10 s: the calls below spend the burst, then one is
    // refused, and the next token is seconds away however slowly the machine made those calls.
    await setOrgLimits(org.scope.orgId, { apiRequestsPerMinute: 6 });
    let refused: RateLimitError | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      await Sandbox.list({ ...conn(org.developer), maxRetries: 0 }).catch((e) => {
        if (e instanceof RateLimitError) refused = e;
        else throw e;
      });
    }
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused!.retryAfterSec).toBeGreaterThanOrEqual(1);
    const t0 = Date.now();
    await expect(Sandbox.list({ ...conn(org.developer), maxRetries: 3 })).resolves.toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
  });
});
