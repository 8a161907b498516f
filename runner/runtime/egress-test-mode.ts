import fs from 'node:fs';
import net from 'node:net';

/**
 * TEST ONLY. The egress proxy refuses every private and host-local address, and verifies
 * upstream certificates against the public roots, so a test cannot give it a local HTTPS
 * upstream. With NODE_ENV=test *and* WARREN_TEST_EGRESS_HOSTS (`name=127.0.0.1,other=10.1.2.3`),
 * the proxy resolves exactly those names to those addresses, without the address check; with
 * WARREN_TEST_EGRESS_CA (a PEM file) it also trusts that CA upstream. Either variable without
 * NODE_ENV=test stops the runner at start (a production runner never runs with them), and when
 * active the runner logs a warning at start. Names not listed behave exactly as in production.
 */
export type EgressTestMode = { hosts: Map<string, string>; ca: string | null };

let mode: EgressTestMode | null = null;

export function loadEgressTestMode(env: NodeJS.ProcessEnv = process.env): EgressTestMode | null {
  const hosts = env.WARREN_TEST_EGRESS_HOSTS;
  const ca = env.WARREN_TEST_EGRESS_CA;
  if (!hosts && !ca) {
    mode = null;
    return null;
  }
  if (env.NODE_ENV !== 'test') {
    throw new Error('WARREN_TEST_EGRESS_HOSTS and WARREN_TEST_EGRESS_CA are test-only: they need NODE_ENV=test. Unset them; refusing to start.');
  }
  const map = new Map<string, string>();
  for (const pair of (hosts ?? '').split(',').filter(Boolean)) {
    const [name, ip] = pair.split('=');
    if (!name || !ip || !net.isIP(ip)) throw new Error(`WARREN_TEST_EGRESS_HOSTS: "${pair}" is not name=ip`);
    map.set(name.toLowerCase(), ip);
  }
  mode = { hosts: map, ca: ca ? fs.readFileSync(ca, 'utf8') : null };
  return mode;
}

/** For in-process tests only (they run under NODE_ENV=test). */
export function setEgressTestMode(m: EgressTestMode | null): void {
  if (m && process.env.NODE_ENV !== 'test') throw new Error('egress test mode needs NODE_ENV=test');
  mode = m;
}

export const egressTestMode = () => mode;
