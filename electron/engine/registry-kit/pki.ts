import 'reflect-metadata'; // @peculiar/x509's dependency injection needs the Reflect metadata API loaded first
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { toPem } from '../../../shared/certs/encoding';

/**
 * Certificates for a mirror registry node, made in-process with WebCrypto (no openssl on the bastion needed):
 * a CA the cluster and clients trust, and a server certificate with the node's DNS name and IP as SANs (Go's
 * TLS, hence the registry, skopeo and CRI-O, ignores the CN).
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048' | 'rsa-3072';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'rsa-2048', 'rsa-3072'];

export interface IssuedCertificate {
  cert: x509.X509Certificate;
  certPem: string;
  /** PKCS#8 PEM (`BEGIN PRIVATE KEY`), what distribution and Go's TLS load. */
  keyPem: string;
  keys: CryptoKeyPair;
}

interface Validity {
  notBefore: Date;
  notAfter: Date;
}

function algorithmParams(alg: KeyAlgorithm): RsaHashedKeyGenParams | EcKeyGenParams {
  if (alg === 'ecdsa-p256') return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as EcKeyGenParams;
  return { name: 'RSASSA-PKCS1-v1_5', modulusLength: alg === 'rsa-2048' ? 2048 : 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
}

/** The signature algorithm a key makes: ECDSA keys sign with SHA-256; RSA keys carry their hash already. */
function signingAlgorithm(key: CryptoKey): Algorithm {
  return key.algorithm.name === 'ECDSA' ? ({ name: 'ECDSA', hash: 'SHA-256' } as Algorithm) : { name: key.algorithm.name };
}

/** A positive 128-bit serial (RFC 5280 wants at most 20 octets, positive; random makes reissues distinct). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function finish(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<IssuedCertificate> {
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey));
  return { cert, certPem: cert.toString('pem') + '\n', keyPem: toPem('PRIVATE KEY', pkcs8), keys };
}

function dnQuote(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

export async function createCa(opts: { commonName: string; algorithm: KeyAlgorithm } & Validity): Promise<IssuedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(algorithmParams(opts.algorithm), true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${dnQuote(opts.commonName)}, O=Ferry mirror registry`,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    keys,
    signingAlgorithm: signingAlgorithm(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return finish(cert, keys);
}

export async function issueServerCertificate(
  ca: IssuedCertificate,
  opts: { dnsNames: string[]; ips: string[]; algorithm: KeyAlgorithm } & Validity,
): Promise<IssuedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(algorithmParams(opts.algorithm), true, ['sign', 'verify'])) as CryptoKeyPair;
  const names: x509.JsonGeneralName[] = [
    ...opts.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...opts.ips.map((value) => {
      if (!isIP(value)) throw new Error(`not an IP address: ${value}`);
      return { type: 'ip' as const, value };
    }),
  ];
  const usage = x509.KeyUsageFlags.digitalSignature | (opts.algorithm === 'ecdsa-p256' ? 0 : x509.KeyUsageFlags.keyEncipherment);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${dnQuote(opts.dnsNames[0] ?? opts.ips[0] ?? 'registry')}`,
    issuer: ca.cert.subject,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: signingAlgorithm(ca.keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return finish(cert, keys);
}
