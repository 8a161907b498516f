/**
 * Where to go after signing in. Only same-site paths are accepted: a crafted link such as
 * `/sign-in?callbackUrl=https://evil.example` must not turn the sign-in page into an open redirect.
 */
export function safeCallbackUrl(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  if (value.startsWith('/sign-in') || value.startsWith('/sign-up') || value.startsWith('/api/auth')) return fallback;
  return value;
}

export function firstParam(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
