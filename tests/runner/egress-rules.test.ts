import { describe, expect, it } from 'vitest';
import { hostAllowed } from '@/runner/runtime/egress-proxy';

describe('egress allow-list matching', () => {
  it('matches exact names and *.wildcards for subdomains only', () => {
    const allow = ['pypi.org', '*.githubusercontent.com'];
    expect(hostAllowed('pypi.org', allow)).toBe(true);
    expect(hostAllowed('PyPI.org.', allow)).toBe(true);
    expect(hostAllowed('evilpypi.org', allow)).toBe(false);
    expect(hostAllowed('files.pypi.org', allow)).toBe(false);
    expect(hostAllowed('raw.githubusercontent.com', allow)).toBe(true);
    expect(hostAllowed('githubusercontent.com', allow)).toBe(false);
    expect(hostAllowed('xgithubusercontent.com', allow)).toBe(false);
  });
});

describe('egress allow-list entries', () => {
  it('never matches IP literals, even when listed', () => {
    expect(hostAllowed('10.0.0.5', ['10.0.0.5'])).toBe(false);
    expect(hostAllowed('[::1]', ['::1'])).toBe(false);
  });
});
