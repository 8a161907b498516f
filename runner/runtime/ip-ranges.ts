import net from 'node:net';

/**
 * Addresses and prefixes as numbers, for the egress policies: IPv4 and IPv6 (with zone ids,
 * `::` and embedded dotted quads) parsed into bigints, CIDR sets that match either family, and
 * the IPv4 address embedded in an IPv6 one where a translation scheme puts it.
 */
export type Ip = { family: 4 | 6; value: bigint };

export function parseIp(text: string): Ip | null {
  const s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (net.isIPv4(s)) return { family: 4, value: s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(part), 0n) };
  if (!net.isIPv6(s)) return null;
  let head = s;
  let tail4: bigint | null = null;
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    head = `${dotted[1]}0:0`;
    tail4 = parseIp(dotted[2]!)!.value;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (p: string | undefined) => (p ? p.split(':').filter((g) => g !== '') : []);
  const l = groups(left);
  const r = groups(right);
  const all = right === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
  let value = all.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
  if (tail4 !== null) value = (value & ~0xffffffffn) | tail4;
  return { family: 6, value };
}

const bits = (family: 4 | 6) => (family === 4 ? 32 : 128);

export type Cidr = { family: 4 | 6; base: bigint; prefix: number };

/** `192.0.2.7/24` → 192.0.2.0/24; a bare address is its own /32 or /128. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len] = text.split('/');
  const ip = parseIp(addr!);
  if (!ip) return null;
  const prefix = len === undefined ? bits(ip.family) : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits(ip.family)) return null;
  return { family: ip.family, base: ip.value & mask(ip.family, prefix), prefix };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const width = BigInt(bits(family));
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(prefix))) - 1n);
}

export function formatCidr(c: Cidr): string {
  if (c.family === 4) {
    const parts = [24n, 16n, 8n, 0n].map((sh) => String((c.base >> sh) & 0xffn));
    return `${parts.join('.')}/${c.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => ((c.base >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${c.prefix}`;
}

export function normalizeCidr(text: string): string | null {
  const c = parseCidr(text);
  return c && formatCidr(c);
}

export class CidrSet {
  private readonly list: Cidr[] = [];

  constructor(cidrs: Iterable<string> = []) {
    for (const c of cidrs) this.add(c);
  }

  add(text: string): this {
    const c = parseCidr(text);
    if (!c) throw new Error(`not an address or prefix: ${text}`);
    this.list.push(c);
    return this;
  }

  has(ip: Ip): boolean {
    return this.list.some((c) => c.family === ip.family && (ip.value & mask(c.family, c.prefix)) === c.base);
  }
}

/** The low 32 bits of an IPv6 address as an IPv4 one (NAT64 and the like put it there). */
export const low32 = (ip: Ip): Ip => ({ family: 4, value: ip.value & 0xffffffffn });

/**
 * IPv4 space that is never the public internet: this network, private (10/8, 172.16/12,
 * 192.168/16), CGNAT (100.64/10), loopback, link-local (cloud metadata at 169.254.169.254),
 * IETF protocol assignments (192.0.0/24), benchmarking (198.18/15), multicast and reserved.
 * The slirp firewall and the egress proxy refuse all of it, plus the host's own networks.
 */
export const REFUSED_V4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
];
