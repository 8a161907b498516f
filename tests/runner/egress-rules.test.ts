import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSandboxBody } from '@/lib/schemas/sandboxes';
import { createSandboxSchema } from '@/runner/api/schemas';
import { forbiddenAddress, hostAllowed, portAllowed, startEgressProxy } from '@/runner/runtime/egress-proxy';
import { hostNetworksFrom } from '@/runner/runtime/host-net';
import { egressRules } from '@/runner/runtime/network';

// The proxy's resolver answers what each test name needs (names of the form <anything>.test).
const answers = new Map<string, Array<{ address: string; family: number }>>();
vi.mock('node:dns/promises', () => ({
  default: {
    lookup: async (host: string) => {
      const a = answers.get(host);
      if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return a;
    },
  },
}));

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

describe('egress proxy ports', () => {
  it('opens 80 and 443 by default and exactly the listed ports otherwise', () => {
    expect(portAllowed(443)).toBe(true);
    expect(portAllowed(80)).toBe(true);
    for (const p of [22, 25, 3128, 5432, 6379, 8080, 0, 65536, Number.NaN]) expect(portAllowed(p)).toBe(false);
    expect(portAllowed(8443, [8443])).toBe(true);
    expect(portAllowed(443, [8443])).toBe(false);
  });
});

describe('egress ports in the network policy', () => {
  it('are validated the same by the console and the runner', () => {
    for (const schema of [createSandboxBody, createSandboxSchema]) {
      const ok = (network: unknown) => schema.safeParse({ network }).success;
      expect(ok({ mode: 'egress', allow: ['pypi.org'], ports: [443, 8443] })).toBe(true);
      expect(ok({ mode: 'egress', allow: ['pypi.org'] })).toBe(true);
      for (const ports of [[0], [65536], [22.5], ['22'], [], Array.from({ length: 65 }, (_, i) => i + 1)]) {
        expect(ok({ mode: 'egress', allow: ['pypi.org'], ports }), JSON.stringify(ports)).toBe(false);
      }
      expect(ok({ mode: 'egress', ports: [22] })).toBe(false); // slirp egress has no port list
      expect(ok({ mode: 'none', allow: ['pypi.org'], ports: [22] })).toBe(false);
    }
  });
});

describe('egress proxy address policy', () => {
  const none: string[] = []; // no host networks: the static policy alone

  it('refuses IPv6 forms that lead to private or special space', () => {
    const refused = {
      unspecified: '::',
      loopback: '::1',
      'IPv4-compatible loopback': '::127.0.0.1',
      'IPv4-compatible private': '::10.0.0.1',
      'IPv4-mapped private': '::ffff:10.0.0.1',
      'IPv4-mapped metadata': '::ffff:169.254.169.254',
      'IPv4-mapped public (never in DNS)': '::ffff:8.8.8.8',
      'IPv4-translated (SIIT)': '::ffff:0:a00:1',
      'NAT64 of loopback': '64:ff9b::127.0.0.1',
      'NAT64 of a private address': '64:ff9b::a00:1',
      'NAT64 of cloud metadata': '64:ff9b::a9fe:a9fe',
      'NAT64 of CGNAT': '64:ff9b::100.64.0.1',
      'local-use NAT64': '64:ff9b:1::808:808',
      '6to4 of a private address': '2002:c0a8:101::1',
      '6to4 of a public address': '2002:808:808::1',
      'Teredo': '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      'IETF protocol assignments': '2001:1::1',
      'benchmarking': '2001:2::1',
      'ORCHIDv2': '2001:20::1',
      'documentation 2001:db8::/32': '2001:db8::1',
      'documentation 3fff::/20': '3fff:0fff::1',
      'discard-only': '100::1',
      'unique local': 'fd12:3456::1',
      'link-local': 'fe80::1',
      'link-local with a zone': 'fe80::1%eth0',
      'site-local': 'fec0::1',
      'multicast': 'ff02::1',
      'SRv6 SIDs': '5f00::1',
      'unassigned (outside 2000::/3)': '4000::1',
    };
    for (const [what, ip] of Object.entries(refused)) expect(forbiddenAddress(ip, none), what).toBe(true);
  });

  it('refuses private, special and reserved IPv4 space', () => {
    for (const ip of ['0.0.0.0', '10.1.2.3', '100.64.0.1', '127.0.0.1', '169.254.169.254', '172.16.0.1', '192.0.0.170', '192.168.1.1', '198.18.0.1', '224.0.0.1', '255.255.255.255', 'not an ip']) {
      expect(forbiddenAddress(ip, none), ip).toBe(true);
    }
  });

  it('lets public unicast through, in both families and through NAT64', () => {
    for (const ip of ['1.1.1.1', '8.8.8.8', '151.101.0.1', '2606:4700:4700::1111', '2a00:1450:4001::200e', '64:ff9b::1.1.1.1', '64:ff9b::808:808']) {
      expect(forbiddenAddress(ip, none), ip).toBe(false);
    }
  });

  it("refuses the host's own networks, not only its exact addresses", () => {
    const host = ['198.51.100.0/24', '203.0.113.1/32', '2a01:4f8:1:2::/64', '2a01:4f8:ffff::1/128'];
    expect(forbiddenAddress('198.51.100.77', host)).toBe(true); // a neighbour on the host's LAN
    expect(forbiddenAddress('203.0.113.1', host)).toBe(true); // its gateway
    expect(forbiddenAddress('64:ff9b::198.51.100.77', host)).toBe(true); // the neighbour through NAT64
    expect(forbiddenAddress('2a01:4f8:1:2::99', host)).toBe(true);
    expect(forbiddenAddress('2a01:4f8:ffff::1', host)).toBe(true);
    expect(forbiddenAddress('198.51.101.1', host)).toBe(false);
    expect(forbiddenAddress('2a01:4f8:1:3::1', host)).toBe(false);
  });

  it("uses this host's networks when none are given", () => {
    for (const i of Object.values(os.networkInterfaces()).flat()) {
      if (i) expect(forbiddenAddress(i.address), i.address).toBe(true);
    }
  });
});

describe("the host's networks", () => {
  it('takes addresses, attached prefixes, on-link and routed destinations and every gateway, never the default', () => {
    const ifaces = {
      lo: [{ address: '127.0.0.1', cidr: '127.0.0.1/8' }],
      eth0: [
        { address: '203.0.113.5', cidr: '203.0.113.5/32' }, // a /32 with an onlink gateway outside it (Hetzner-style)
        { address: '2a01:4f8:c17:1::1', cidr: '2a01:4f8:c17:1::1/64' },
        { address: 'fe80::1%eth0', cidr: 'fe80::1/64' },
      ],
    } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
    const routes = [
      { dst: 'default', gateway: '172.31.1.1', dev: 'eth0', flags: ['onlink'] },
      { dst: '172.31.1.1', dev: 'eth0', scope: 'link' },
      { dst: '192.0.2.0/24', dev: 'br0', protocol: 'kernel', scope: 'link' },
      { dst: '198.51.100.0/25', gateway: '192.0.2.254', dev: 'br0' },
      { dst: 'default', nexthops: [{ gateway: '192.0.2.10' }, { gateway: '192.0.2.11' }] },
      { dst: '100.100.0.0/16', via: { family: 'inet6', host: 'fe80::99' }, dev: 'eth1' },
      { dst: '0.0.0.0/1', dev: 'wg0', scope: 'link' }, // a VPN catch-all, not a network
      { dst: '10.9.0.0/16', type: 'blackhole' },
      { type: 'local', dst: '203.0.113.5', table: 'local', scope: 'host' },
      { dst: 'default', gateway: 'fe80::1', dev: 'eth0' },
    ];
    const h = hostNetworksFrom(ifaces, routes);
    expect(h.v4).toEqual(
      expect.arrayContaining(['172.31.1.1/32', '203.0.113.5/32', '192.0.2.0/24', '198.51.100.0/25', '192.0.2.254/32', '192.0.2.10/32', '192.0.2.11/32', '100.100.0.0/16', '127.0.0.0/8']),
    );
    expect(h.v4).not.toContain('0.0.0.0/1');
    expect(h.v4).not.toContain('0.0.0.0/0');
    expect(h.v4).not.toContain('10.9.0.0/16');
    expect(h.v6).toEqual(expect.arrayContaining(['2a01:4f8:c17:1:0:0:0:0/64', '2a01:4f8:c17:1:0:0:0:1/128', 'fe80:0:0:0:0:0:0:99/128', 'fe80:0:0:0:0:0:0:1/128']));
    // Order-independent, so a watcher sees a change only when there is one.
    expect(hostNetworksFrom(ifaces, [...routes].reverse()).fingerprint).toBe(h.fingerprint);
    expect(hostNetworksFrom(ifaces, routes.filter((r) => r.dst !== '192.0.2.0/24')).fingerprint).not.toBe(h.fingerprint);
  });

  it('go into the slirp firewall after the DNS exception', () => {
    const rules = egressRules(['10.0.0.0/8', '192.0.2.0/24', '192.0.2.1/32']).split('\n');
    const dns = rules.indexOf('-A OUTPUT -d 10.0.2.3/32 -p udp --dport 53 -j ACCEPT');
    expect(dns).toBeGreaterThan(0);
    expect(rules.indexOf('-A OUTPUT -d 192.0.2.0/24 -j REJECT')).toBeGreaterThan(dns);
    expect(rules).toContain('-A OUTPUT -d 192.0.2.1/32 -j REJECT');
  });
});

describe('egress proxy (in process, resolver stubbed)', () => {
  let dir: string;
  let sock: string;
  let close: () => void;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-proxy-'));
    sock = path.join(dir, 'egress.sock');
    close = await startEgressProxy(sock, ['*.test'], process.getuid!(), pino({ level: 'silent' }));
  });
  afterAll(() => {
    close?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const connect = (target: string) =>
    new Promise<string>((resolve, reject) => {
      const s = net.connect(sock);
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
      });
      s.on('close', () => resolve(got));
      s.on('error', reject);
      s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
      setTimeout(() => s.destroy(), 2000);
    });

  it('refuses port 22 (and any port not open) before resolving anything', async () => {
    answers.set('public.test', [{ address: '8.8.8.8', family: 4 }]);
    const out = await connect('public.test:22');
    expect(out).toMatch(/^HTTP\/1\.1 403/);
    expect(out).toContain('port 22 is not open');
  });

  it('refuses names that resolve to each translated form of private space', async () => {
    const forms = ['::ffff:10.0.0.1', '::10.0.0.1', '64:ff9b::a00:1', '64:ff9b:1::a00:1', '2002:a00:1::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'fec0::1', '2001:db8::1', '100::1'];
    for (const [i, address] of forms.entries()) {
      answers.set(`form${i}.test`, [{ address, family: 6 }]);
      const out = await connect(`form${i}.test:443`);
      expect(out, address).toMatch(/^HTTP\/1\.1 403/);
      expect(out, address).toContain('private or host-local');
    }
    // One bad address among good ones is enough to refuse the name (no picking by the sandbox).
    answers.set('mixed.test', [
      { address: '8.8.8.8', family: 4 },
      { address: '64:ff9b::7f00:1', family: 6 },
    ]);
    expect(await connect('mixed.test:443')).toContain('private or host-local');
  });

  it('holds a bounded number of connections per sandbox: a flood is cut, not the runner', async () => {
    const socks: net.Socket[] = [];
    let cut = 0;
    for (let i = 0; i < 200; i++) {
      const s = net.connect(sock);
      s.on('error', () => {});
      s.on('close', () => cut++);
      socks.push(s);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(cut).toBeGreaterThanOrEqual(200 - 128); // over the cap: closed at once
    for (const s of socks) s.destroy();
    // and the proxy still serves afterwards
    answers.set('after.test', [{ address: '8.8.8.8', family: 4 }]);
    expect(await connect('after.test:22')).toContain('port 22 is not open');
  });
});
