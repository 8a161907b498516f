import nextConfig from '@/next.config';

/**
 * Runs Next's `prepare()` and then puts the engine's own `Date` back.
 *
 * While it prepares, Next replaces the global `Date` with a wrapper that reports every
 * `new Date()` to its prerender tracking (`next/dist/server/node-environment-extensions/date.js`),
 * which only does anything for `cacheComponents`, not enabled here (next.config.ts). The
 * wrapper builds each date through `Reflect.construct(…, arguments, …)`: a CPU profile of
 * `GET /api/v1/sandboxes` under load had 10.5% of the console's time in it (every timestamp
 * column drizzle maps is a `new Date`). If `cacheComponents` is ever turned on, the wrapper
 * stays.
 */
export async function prepareKeepingNativeDate(prepare: () => Promise<void>): Promise<void> {
  const NativeDate = globalThis.Date;
  await prepare();
  if ((nextConfig as { cacheComponents?: boolean }).cacheComponents || globalThis.Date === NativeDate) return;
  globalThis.Date = NativeDate;
  Object.defineProperty(NativeDate.prototype, 'constructor', { value: NativeDate, writable: true, configurable: true, enumerable: false });
}
