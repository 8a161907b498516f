import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from './callback-url';

describe('safeCallbackUrl', () => {
  it('keeps same-site paths', () => {
    expect(safeCallbackUrl('/acme/members')).toBe('/acme/members');
    expect(safeCallbackUrl('/invite/abc_DEF-123')).toBe('/invite/abc_DEF-123');
    expect(safeCallbackUrl('/acme/audit?cursor=x')).toBe('/acme/audit?cursor=x');
  });

  it('refuses anything that could leave the site (no open redirect)', () => {
    for (const bad of [
      'https://evil.example/',
      '//evil.example/path',
      '/\\evil.example',
      'javascript:alert(1)',
      'evil.example',
      '',
      undefined,
      null,
      42,
      `/${'a'.repeat(3000)}`,
    ]) {
      expect(safeCallbackUrl(bad)).toBe('/');
    }
  });

  it('does not bounce back into the auth pages', () => {
    expect(safeCallbackUrl('/sign-in?callbackUrl=/x')).toBe('/');
    expect(safeCallbackUrl('/sign-up')).toBe('/');
    expect(safeCallbackUrl('/api/auth/signout')).toBe('/');
  });

  it('uses the given fallback', () => {
    expect(safeCallbackUrl('https://evil.example', '/acme')).toBe('/acme');
  });
});
