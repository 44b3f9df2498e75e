import { useCallback, useEffect, useState } from 'react';
import { getApi } from '../api';
import { useFileDrop } from '../file-drop';
import { remember, useSettings } from '../settings';
import { useAction } from '../use-action';
import { ActionError } from './ActionError';
import { Button } from './Button';
import { CertificateDetails, type Certificate } from './CertificateDetails';
import { Field } from './Field';
import { FileInput, toBase64 } from './FileInput';
import { FindingList } from './Findings';

/**
 * Read a CA in PEM or DER (opened or dropped in the page, or by path on the privileged side), show what
 * it is and its fingerprint, and let the operator decide to trust it. The last path read is offered again.
 */
export function CaImport({ onTrust, trustLabel = 'Trust this CA' }: { onTrust: (cert: Certificate) => void; trustLabel?: string }) {
  const [path, setPath] = useState('');
  const inspectFn = useCallback((source: { kind: 'bytes'; base64: string } | { kind: 'path'; path: string }) => getApi().ca.inspect({ source }), []);
  const [inspect, inspected] = useAction(inspectFn);
  const settings = useSettings();
  useEffect(() => {
    if (settings?.caPath) setPath((p) => p || settings.caPath!);
  }, [settings?.caPath]);
  const readPath = async (p: string) => {
    if (await inspect({ kind: 'path', path: p })) void remember({ caPath: p });
  };
  const openFile = (f: File) => void f.arrayBuffer().then((b) => inspect({ kind: 'bytes', base64: toBase64(b) }));
  const drop = useFileDrop(openFile);
  return (
    <div className={drop.over ? 'drop-zone drop-over' : 'drop-zone'} {...drop.props}>
      <div className="actions">
        <FileInput label="Open CA certificate (PEM or DER)…" accept=".crt,.pem,.cer,.der" onFile={openFile} />
        <span className="muted">…or drop the file here.</span>
      </div>
      <div className="row">
        <Field label="…or CA certificate path" help="A file on the machine running Ferry, e.g. /etc/pki/ca-trust/source/anchors/mirror.crt">
          <input type="text" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} autoComplete="off" />
        </Field>
        <div className="field" style={{ flex: '0 0 auto', justifyContent: 'flex-end' }}>
          <Button onClick={() => void readPath(path.trim())} disabled={!path.trim()} busy={inspected.busy}>
            Read certificate
          </Button>
        </div>
      </div>
      <ActionError error={inspected.error} />
      {inspected.result ? (
        <>
          <FindingList findings={inspected.result.findings} />
          {inspected.result.certificates.map((c) => (
            <section key={c.fingerprintSha256} className="card" aria-label={`Certificate ${c.subject}`}>
              <CertificateDetails cert={c} />
              <Button variant="primary" onClick={() => onTrust(c)}>
                {trustLabel}
              </Button>
            </section>
          ))}
        </>
      ) : null}
    </div>
  );
}
