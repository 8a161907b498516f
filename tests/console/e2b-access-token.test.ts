import { afterEach, describe, expect, it } from 'vitest';
import { envdAccessToken, verifyEnvdAccessToken } from '@/lib/e2b/access-token';

/**
 * The envd access token binds a sandbox to the API key that asked for it. The gateway keeps each
 * pair's expected MAC once computed: what it accepts must not change because of that.
 */
const secret = process.env.AUTH_SECRET;
afterEach(() => {
  process.env.AUTH_SECRET = secret;
});

describe('envd access tokens', () => {
  it("opens its own sandbox only, every time, and nothing once altered", () => {
    process.env.AUTH_SECRET = 'a-secret-for-this-test-only-0123456789';
    const token = envdAccessToken('sbxaaa111', 'key111');
    for (let i = 0; i < 3; i++) {
      expect(verifyEnvdAccessToken('sbxaaa111', token)).toBe('key111');
      expect(verifyEnvdAccessToken('sbxbbb222', token)).toBeNull();
    }
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyEnvdAccessToken('sbxaaa111', `${token.slice(0, -1)}${last}`)).toBeNull();
    expect(verifyEnvdAccessToken('sbxaaa111', token.replace('key111.', 'key222.'))).toBeNull();
    expect(verifyEnvdAccessToken('sbxaaa111', `${token}x`)).toBeNull();
  });

  it('stops opening anything once AUTH_SECRET changes', () => {
    process.env.AUTH_SECRET = 'a-secret-for-this-test-only-0123456789';
    const token = envdAccessToken('sbxaaa111', 'key111');
    expect(verifyEnvdAccessToken('sbxaaa111', token)).toBe('key111');
    process.env.AUTH_SECRET = 'another-secret-for-this-test-0123456789';
    expect(verifyEnvdAccessToken('sbxaaa111', token)).toBeNull();
    expect(verifyEnvdAccessToken('sbxaaa111', envdAccessToken('sbxaaa111', 'key111'))).toBe('key111');
  });

  it('still opens the right sandbox after more tokens than it remembers, real and made up', () => {
    process.env.AUTH_SECRET = 'a-secret-for-this-test-only-0123456789';
    const first = envdAccessToken('sbxaaa111', 'key111');
    expect(verifyEnvdAccessToken('sbxaaa111', first)).toBe('key111');
    for (let i = 0; i < 10_050; i++) {
      expect(verifyEnvdAccessToken('sbxaaa111', envdAccessToken('sbxaaa111', `key${i}`))).toBe(`key${i}`);
      expect(verifyEnvdAccessToken('sbxaaa111', `made${i}.${first.slice(first.indexOf('.') + 1)}`)).toBeNull();
    }
    expect(verifyEnvdAccessToken('sbxaaa111', first)).toBe('key111');
    expect(verifyEnvdAccessToken('sbxbbb222', first)).toBeNull();
  });
});
