import * as e2b251 from 'e2b';
import * as e2b245 from 'e2b-v245';
import { inject } from 'vitest';
import { warren } from './warren';

/**
 * The official E2B clients pointed at the project's Warren by environment variables alone, as a
 * team moving to Warren would: E2B_API_URL (the console's /api/e2b), E2B_SANDBOX_URL (the envd
 * gateway), E2B_DOMAIN and E2B_API_KEY (an `e2b_…` key minted through Warren's own API).
 */
export const CLIENTS = [
  ['e2b 2.51', e2b251],
  ['e2b 2.45', e2b245 as unknown as typeof e2b251],
] as const;

export async function mintE2bKey(adminKey = warren().adminKey, role = 'developer'): Promise<string> {
  const res = await fetch(`${warren().url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'e2b client', role, format: 'e2b' }),
  });
  if (res.status !== 201) throw new Error(`minting an E2B key: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

export function pointE2bAt(key: string): void {
  const gw = inject('e2bGateway');
  process.env.E2B_API_URL = `${warren().url}/api/e2b`;
  process.env.E2B_SANDBOX_URL = gw.url;
  process.env.E2B_DOMAIN = gw.domain;
  process.env.E2B_API_KEY = key;
}

/** The Connect client an e2b module holds (`commands.rpc`, `pty.rpc`), for calls its API does not wrap. */
// biome-ignore lint/suspicious/noExplicitAny: the clients keep `rpc` private; its shape is envd's.
export const rpcOf = (module: unknown): any => (module as { rpc: unknown }).rpc;
