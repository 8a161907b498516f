import dns from 'node:dns/promises';
import net from 'node:net';
import { AppError } from '@/lib/errors';
import { IMAGE_REFERENCE_HINT, IMAGE_REFERENCE_RE } from '@/lib/schemas/image-reference';

/** Checked before anything runs: only the grammar's characters reach skopeo's argv. */
export function validateReference(ref: string): string {
  const r = ref.trim();
  if (r.length > 255 || !IMAGE_REFERENCE_RE.test(r)) {
    throw new AppError('validation_failed', `"${ref.slice(0, 100)}" is not ${IMAGE_REFERENCE_HINT}`);
  }
  return r;
}

/** The registry a reference names: its first component when it looks like a host, else Docker Hub. */
export function registryHost(ref: string): string {
  const first = ref.split('/')[0]!;
  const isHost = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? first : 'docker.io';
}

/** skopeo's stderr to an error a user can act on (what failed, not Go's error chain). */
export function pullError(ref: string, stderr: string): AppError {
  const s = stderr.toLowerCase();
  const host = registryHost(ref);
  if (/manifest unknown|name unknown|not found|no such image|does not exist/.test(s)) {
    return new AppError('image_not_found', `Image ${ref} was not found: no such repository or tag on ${host}`);
  }
  if (/unauthorized|authentication required|\b401\b|denied|invalid username\/password/.test(s)) {
    return new AppError('registry_auth_failed', `${host} refused access to ${ref}: check the registry credentials (or whether the image exists)`);
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp|connection reset|tls|http response to https client|eof|timeout|network is unreachable/.test(s)) {
    return new AppError('registry_unreachable', `The registry ${host} could not be reached to pull ${ref}: ${lastLine(stderr)}`);
  }
  return new AppError('image_pull_failed', `Pulling ${ref} failed: ${lastLine(stderr)}`);
}

function lastLine(s: string): string {
  const line = s.trim().split('\n').pop() ?? '';
  // skopeo's messages are long chains; the tail after the last ": " is the cause.
  return line.replace(/^time="[^"]*" level=\w+ msg="?/, '').slice(-300);
}

/**
 * Addresses no image is ever pulled from: link-local (169.254/16 holds every cloud's instance
 * metadata service, 169.254.169.254, which hands out the host's cloud credentials; fe80::/10),
 * "this network" (0/8) and AWS's IPv6 metadata address. skopeo runs as root on the runner's
 * host, so a tenant naming such a registry in a template would make the host fetch from it.
 * Loopback and private registries stay allowed: a registry next to the runner is a normal setup.
 */
function forbiddenAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (net.isIPv4(v4)) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 0 || (a === 169 && b === 254);
  }
  const lower = ip.toLowerCase();
  return /^fe[89ab][0-9a-f]:/.test(lower) || lower === 'fd00:ec2::254' || lower === '::';
}

/**
 * Refuses a registry host that is, or resolves to, a forbidden address (checked again by name
 * for the metadata names clouds resolve only from inside). A name that does not resolve is left
 * to skopeo, whose error says so.
 */
export async function refuseForbiddenRegistry(host: string): Promise<void> {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  const refuse = () =>
    new AppError('validation_failed', `Images cannot be pulled from ${name}: link-local and metadata addresses are refused`);
  if (name === 'metadata.google.internal' || name === 'metadata' || name.endsWith('.metadata.google.internal')) throw refuse();
  let addresses: string[];
  try {
    addresses = net.isIP(name) ? [name] : (await dns.lookup(name, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return;
  }
  if (addresses.some(forbiddenAddress)) throw refuse();
}
