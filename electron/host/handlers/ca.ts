import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { base64ToBytes } from '../../../shared/certs/encoding';
import { FerryError } from '../../../shared/errors';
import { inspectCertificates, readCertificateFile } from '../../engine/trust/certificates';

export async function inspectCa(req: ParsedRequestOf<'ca.inspect'>): Promise<ResponseOf<'ca.inspect'>> {
  let bytes: Uint8Array;
  let source: string;
  if (req.source.kind === 'path') {
    bytes = await readCertificateFile(req.source.path);
    source = req.source.path;
  } else {
    const decoded = base64ToBytes(req.source.base64);
    if (!decoded) throw new FerryError('INVALID_INPUT', 'The certificate data is not valid base64.', { hint: 'Open the file again.' });
    bytes = decoded;
    source = 'the certificate';
  }
  const infos = inspectCertificates(bytes, source);
  return {
    certificates: infos.map((c) => ({
      subject: c.subject,
      issuer: c.issuer,
      sans: c.subjectAltNames,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      daysLeft: c.daysLeft,
      isCA: c.isCA,
      fingerprintSha256: c.fingerprintSha256,
      pem: c.pem,
    })),
    findings: infos.flatMap((c) =>
      c.validityMessage ? [{ level: c.status === 'expiring' ? ('warning' as const) : ('error' as const), message: c.validityMessage }] : [],
    ),
  };
}
