import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { forwardedProto } from './preview-proxy';

const request = (encrypted: boolean, proto?: string) =>
  ({ socket: { encrypted }, headers: proto ? { 'x-forwarded-proto': proto } : {} }) as unknown as http.IncomingMessage;

describe('the X-Forwarded-Proto a sandbox app sees behind the preview proxy', () => {
  it('is https when the console terminated TLS itself, whatever the client claims', () => {
    expect(forwardedProto(request(true), false)).toBe('https');
    expect(forwardedProto(request(true, 'http'), false)).toBe('https');
  });

  it('takes a proxy’s https only when the proxy is trusted (WARREN_TRUST_PROXY=1)', () => {
    expect(forwardedProto(request(false, 'https, http'), true)).toBe('https');
    expect(forwardedProto(request(false, 'https'), false)).toBe('http');
    expect(forwardedProto(request(false), true)).toBe('http');
  });
});
