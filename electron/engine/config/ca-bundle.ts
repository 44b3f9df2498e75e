import { X509Certificate } from 'node:crypto';
import { FerryError } from '../../../shared/errors';
import { readInputFile } from './input-file';

/**
 * The mirror CA as the PEM bundle install-config's additionalTrustBundle wants. Operators have the CA
 * as PEM (one or several certificates) or DER (seed 000); each certificate is parsed so a wrong file
 * fails here, naming it, rather than in the installer.
 */
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function notACertificate(path: string, why: string, cause?: unknown): FerryError {
  return new FerryError('INVALID_INPUT', `${path} is not a CA certificate: ${why}.`, {
    hint: 'Pass the PEM or DER file of the CA that signed the mirror registry certificate (e.g. /opt/registry/certs/domain.crt).',
    cause,
  });
}

function toPem(path: string, der: Buffer): string {
  try {
    return new X509Certificate(der).toString();
  } catch (e) {
    throw notACertificate(path, 'it could not be parsed as an X.509 certificate', e);
  }
}

export async function readCaBundle(paths: readonly string[]): Promise<string> {
  const pems: string[] = [];
  for (const path of paths) {
    const bytes = await readInputFile(path, 'the CA file', '--ca-file');
    const blocks = bytes.toString('latin1').match(PEM_BLOCK);
    if (blocks) {
      for (const block of blocks) {
        const b64 = block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
        pems.push(toPem(path, Buffer.from(b64, 'base64')));
      }
    } else if (bytes.toString('latin1').includes('-----BEGIN')) {
      throw notACertificate(path, 'it holds PEM data but no CERTIFICATE block');
    } else {
      pems.push(toPem(path, bytes));
    }
  }
  return pems.map((p) => p.trim()).join('\n');
}
