import { useEffect, useCallback } from 'react';
import { getApi, useUnavailable } from '../api';
import { formatBytes, formatTime, shortDigest } from '../format';
import { useAction } from '../use-action';
import { ActionError, NotAvailable } from './ActionError';
import { NotCarried } from './NotCarried';
import { Spinner } from './Spinner';
import { Table } from './Table';

/**
 * What a transfer directory holds. The SHA-256 of transfer.json differs on every transfer, so where a signing
 * key's fingerprint is what people compare (the export's Done step) the caller leaves it out (`manifestHash`).
 */
export function TransferSummary({ dir, onLoaded, manifestHash = true }: { dir: string; onLoaded?: () => void; manifestHash?: boolean }) {
  // The directory the operator typed or picked: confirmed for this session as it is opened (path-grants.ts).
  const readFn = useCallback(async (d: string) => {
    await getApi().fs.allow({ path: d, access: 'read' });
    return getApi().transfer.read({ dir: d });
  }, []);
  const [read, state] = useAction(readFn);
  const absent = useUnavailable('transfer.read');
  useEffect(() => {
    if (dir && !absent) void read(dir).then((r) => r && onLoaded?.());
    // onLoaded is a notification, not an input.
  }, [dir, read, absent]);
  if (!dir) return null;
  if (absent) return <NotAvailable what={`Reading the transfer summary: ${absent}`} />;
  if (state.busy && !state.result) return <Spinner label="Reading transfer.json…" />;
  if (state.error) return <ActionError error={state.error} />;
  const t = state.result;
  if (!t) return null;
  return (
    <>
      <dl className="kv">
        <dt>Transfer</dt>
        <dd className="mono">{t.id}</dd>
        <dt>Created</dt>
        <dd>{formatTime(t.createdAt)}</dd>
        {t.releases ? (
          <>
            <dt>Releases (upgrade path)</dt>
            <dd>
              <ol className="release-path" data-testid="transfer-releases">
                {t.releases.map((r) => (
                  <li key={r.digest}>
                    {r.version} ({r.architecture}) <span className="mono">{shortDigest(r.digest)}</span>, {r.signatures} signature(s)
                  </li>
                ))}
              </ol>
            </dd>
          </>
        ) : t.release ? (
          <>
            <dt>Release</dt>
            <dd>
              {t.release.version} ({t.release.architecture}) <span className="mono">{shortDigest(t.release.digest)}</span>
            </dd>
          </>
        ) : null}
        <dt>Images</dt>
        <dd>{t.images.length}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(t.totalBytes)}</dd>
        {manifestHash ? (
          <>
            <dt>Fingerprint (SHA-256 of transfer.json)</dt>
            <dd className="mono" data-testid="transfer-fingerprint">
              {t.fingerprint}
            </dd>
          </>
        ) : null}
      </dl>
      <NotCarried
        failed={t.failed}
        title={`Partial transfer: ${t.failed?.length ?? 0} image(s) asked for could not be fetched and are not carried`}
        hint="On the connected side, the same export (or ferry mirror command) into this folder again fetches only these."
      />
      <Table
        caption="Files to carry: transfer.json and these volumes"
        rows={t.volumes}
        rowKey={(v) => v.name}
        columns={[
          { header: 'Volume', cell: (v) => <span className="mono">{v.name}</span> },
          { header: 'Size', numeric: true, cell: (v) => formatBytes(v.size) },
          { header: 'SHA-256', cell: (v) => <span className="mono">{v.sha256}</span> },
        ]}
      />
    </>
  );
}
