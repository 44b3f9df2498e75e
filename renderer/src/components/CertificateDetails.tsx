import type { ResponseOf } from '../../../shared/api/contract';
import { Badge } from './Table';

export type Certificate = ResponseOf<'ca.inspect'>['certificates'][number];

export function CertificateDetails({ cert }: { cert: Certificate }) {
  const expiring = cert.daysLeft < 30;
  return (
    <dl className="kv">
      <dt>Subject</dt>
      <dd>{cert.subject}</dd>
      <dt>Issuer</dt>
      <dd>{cert.issuer}</dd>
      <dt>Alternative names</dt>
      <dd>{cert.sans.length > 0 ? cert.sans.join(', ') : '—'}</dd>
      <dt>Valid</dt>
      <dd>
        {cert.notBefore} to {cert.notAfter}{' '}
        <Badge tone={cert.daysLeft < 0 ? 'err' : expiring ? 'warn' : 'ok'}>{cert.daysLeft < 0 ? 'expired' : `${cert.daysLeft} days left`}</Badge>
      </dd>
      <dt>Certificate authority</dt>
      <dd>{cert.isCA ? 'yes' : 'no (a server certificate: trusting it pins this one server)'}</dd>
      <dt>SHA-256 fingerprint</dt>
      <dd className="mono" data-testid="fingerprint">
        {cert.fingerprintSha256}
      </dd>
    </dl>
  );
}
