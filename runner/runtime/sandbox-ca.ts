import 'reflect-metadata'; // @peculiar/x509's DI container needs it, before the library loads
import { randomBytes, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * The certificate authority of one sandbox's egress proxy. Each sandbox with an egress-only
 * secret gets its own (generated at its start, dropped at its stop): the sandbox trusts it (its
 * CA bundle has it), and the proxy signs a leaf certificate with it for each secret host it
 * intercepts. Its private key stays in the runner (memory, and the runner's tmpfs secret store):
 * it never enters the sandbox, so nothing inside can mint certificates for its own CA, and no
 * other sandbox trusts it.
 */
export type CaMaterial = { certPem: string; keyPem: string };

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const LEAF_DAYS = 30;

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
const derOf = (p: string) => Buffer.from(p.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
/** A positive serial of 16 random bytes (RFC 5280: at most 20 octets, unpredictable). */
const serial = () => {
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  return b.toString('hex');
};

export async function createCa(): Promise<CaMaterial> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Warren sandbox egress CA, O=Warren',
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 5 * 365 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

type Leaf = { key: string; cert: string; notAfter: number };

/** Signs and caches leaf certificates for the hosts the proxy intercepts. */
/** New leaf certificates one sandbox may cost per minute (a wildcard secret host lets it name many). */
const LEAVES_PER_MINUTE = 60;

export class SandboxCa {
  private leaves = new Map<string, Promise<Leaf>>();
  private signedAt: number[] = [];
  private leafKeys: Promise<CryptoKeyPair> | null = null;

  private constructor(
    readonly material: CaMaterial,
    private readonly caKey: CryptoKey,
    private readonly caCert: x509.X509Certificate,
  ) {}

  static async load(material: CaMaterial): Promise<SandboxCa> {
    const key = await webcrypto.subtle.importKey('pkcs8', derOf(material.keyPem), ALG, false, ['sign']);
    return new SandboxCa(material, key, new x509.X509Certificate(material.certPem));
  }

  /** Key and certificate for `host` (a name the proxy already checked), signed by this CA. */
  async leafFor(host: string): Promise<{ key: string; cert: string }> {
    const cached = this.leaves.get(host);
    if (cached) {
      const leaf = await cached.catch(() => null);
      if (leaf && leaf.notAfter - Date.now() > DAY) return leaf;
      this.leaves.delete(host);
    }
    const now = Date.now();
    this.signedAt = this.signedAt.filter((t) => now - t < 60_000);
    if (this.signedAt.length >= LEAVES_PER_MINUTE) throw new Error('too many new secret hosts this minute; try again shortly');
    this.signedAt.push(now);
    const made = this.sign(host);
    this.leaves.set(host, made);
    if (this.leaves.size > 256) this.leaves.delete(this.leaves.keys().next().value!);
    return made;
  }

  private async sign(host: string): Promise<Leaf> {
    this.leafKeys ??= webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    const keys = await this.leafKeys;
    const notAfter = Date.now() + LEAF_DAYS * DAY;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${host}`,
      issuer: this.caCert.subject,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(notAfter),
      publicKey: keys.publicKey,
      signingKey: this.caKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
        await x509.AuthorityKeyIdentifierExtension.create(this.caCert),
      ],
    });
    return { key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), cert: cert.toString('pem'), notAfter };
  }
}

/** The sandbox's CA bundle: the host's system bundle (or Node's roots) plus the sandbox's CA. */
export function caBundle(caCertPem: string | null): string {
  let system: string;
  try {
    system = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
  } catch {
    system = tls.rootCertificates.join('\n');
  }
  if (!caCertPem) return system;
  return `${system.trimEnd()}\n# Warren: this sandbox's egress CA (the runner's proxy, for egress-only secrets)\n${caCertPem}`;
}
