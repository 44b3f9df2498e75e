import { X509Certificate } from 'node:crypto';
import { FerryError } from '../../../shared/errors';
import { pemBlocks } from '../../../shared/certs/encoding';
import { readBoundedFile } from './input-file';

/** Below this many days left, a certificate gets a warning (an expired one is an error in checks). */
const EXPIRY_WARNING_DAYS = 30;
// A CA bundle is kilobytes; anything far larger is not a certificate file and is not read into memory.
const MAX_CERT_FILE_BYTES = 4 * 1024 * 1024;

export type ValidityStatus = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** e.g. `DNS:mirror.example.com`, `IP Address:10.0.0.5` (OpenSSL's notation, as Node reports it). */
  subjectAltNames: string[];
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  status: ValidityStatus;
  /** A warning or error about validity, in words; absent when the certificate is simply valid. */
  validityMessage?: string;
  isCA: boolean;
  selfSigned: boolean;
  /** SHA-256 of the DER, colon-separated uppercase hex (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprintSha256: string;
  pem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

export function describeCertificate(cert: X509Certificate, now: Date = new Date()): CertificateInfo {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  let status: ValidityStatus = 'valid';
  let validityMessage: string | undefined;
  if (now < notBefore) {
    status = 'not-yet-valid';
    validityMessage = `not valid before ${notBefore.toISOString()} (check this machine's clock)`;
  } else if (now > notAfter) {
    status = 'expired';
    validityMessage = `expired on ${notAfter.toISOString()} (${Math.floor((now.getTime() - notAfter.getTime()) / DAY_MS)} days ago)`;
  } else if (daysLeft < EXPIRY_WARNING_DAYS) {
    status = 'expiring';
    validityMessage = `expires in ${daysLeft} days, on ${notAfter.toISOString()}`;
  }
  const info: CertificateInfo = {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    subjectAltNames: cert.subjectAltName ? cert.subjectAltName.split(', ') : [],
    serialNumber: cert.serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft,
    status,
    isCA: cert.ca,
    selfSigned: cert.subject === cert.issuer && cert.checkIssued(cert),
    fingerprintSha256: cert.fingerprint256,
    pem: cert.toString(),
  };
  if (validityMessage !== undefined) info.validityMessage = validityMessage;
  return info;
}

function looksLikePem(bytes: Uint8Array): boolean {
  return new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 64 * 1024))).includes('-----BEGIN ');
}

/**
 * Reads one or several PEM certificates, or one DER certificate (seed 000: operators have either).
 * `source` names the file in error messages.
 */
function parseCertificates(bytes: Uint8Array, source: string): X509Certificate[] {
  if (looksLikePem(bytes)) {
    let blocks;
    try {
      blocks = pemBlocks(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new FerryError('INVALID_INPUT', `${source} is PEM but unreadable: ${(e as Error).message}.`, { hint: 'Copy the certificate again from its source; the base64 between the BEGIN and END lines is damaged.' });
    }
    const certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (certs.length === 0) {
      const labels = [...new Set(blocks.map((b) => b.label))].join(', ') || 'no complete BEGIN/END block';
      throw new FerryError('INVALID_INPUT', `${source} holds no certificate (found: ${labels}).`, { hint: 'Give the CA certificate file (BEGIN CERTIFICATE), not a key or a request.' });
    }
    return certs.map((b, i) => {
      try {
        return new X509Certificate(b.der);
      } catch (e) {
        throw new FerryError('INVALID_INPUT', `Certificate ${i + 1} in ${source} cannot be decoded: ${(e as Error).message}.`, { hint: 'The PEM block is damaged; copy the certificate again from its source.' });
      }
    });
  }
  try {
    return [new X509Certificate(bytes)];
  } catch {
    throw new FerryError('INVALID_INPUT', `${source} is neither a PEM certificate nor a DER-encoded X.509 certificate.`, {
      hint: 'Give the registry CA as PEM (-----BEGIN CERTIFICATE-----) or DER (binary .cer/.der); `openssl x509 -in FILE -noout -text` shows what the file is.',
    });
  }
}

export function inspectCertificates(bytes: Uint8Array, source = 'the input', now: Date = new Date()): CertificateInfo[] {
  return parseCertificates(bytes, source).map((c) => describeCertificate(c, now));
}

export function readCertificateFile(path: string): Promise<Uint8Array> {
  return readBoundedFile(path, 'certificate file', MAX_CERT_FILE_BYTES);
}
