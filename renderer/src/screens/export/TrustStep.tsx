import { Button } from '../../components/Button';
import { CaImport } from '../../components/CaImport';
import { Card } from '../../components/Card';
import { ConnectionTest } from '../../components/ConnectionTest';
import { EmptyState } from '../../components/EmptyState';
import { Table } from '../../components/Table';
import { exportStore, withDone } from '../../journeys';
import { useStore } from '../../store';

/** CAs to trust for the source registries (a proxy or a corporate mirror in between), and a connection test. */
export function TrustStep() {
  const state = useStore(exportStore);
  const caPem = state.cas.map((c) => c.pem).join('\n') || undefined;
  return (
    <>
      <Card title="Trusted CAs" subtitle="Used only for Ferry’s connections to registries, in addition to the system roots.">
        <Table
          caption="CAs trusted for this export"
          rows={state.cas}
          rowKey={(c) => c.fingerprintSha256}
          empty={<EmptyState title="No extra CA">Registries with publicly trusted certificates (quay.io, registry.redhat.io) need none.</EmptyState>}
          columns={[
            { header: 'Subject', cell: (c) => c.subject },
            { header: 'SHA-256 fingerprint', cell: (c) => <span className="mono">{c.fingerprintSha256}</span> },
            {
              header: 'Action',
              cell: (c) => (
                <Button small onClick={() => exportStore.update((s) => ({ cas: s.cas.filter((x) => x.fingerprintSha256 !== c.fingerprintSha256) }))} aria-label={`Stop trusting ${c.subject}`}>
                  Remove
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card title="Import a CA">
        <CaImport
          onTrust={(c) =>
            exportStore.update((s) => ({
              cas: s.cas.some((x) => x.fingerprintSha256 === c.fingerprintSha256) ? s.cas : [...s.cas, { fingerprintSha256: c.fingerprintSha256, subject: c.subject, pem: c.pem }],
              done: withDone(s.done, 'trust'),
            }))
          }
        />
      </Card>
      <Card title="Test a connection">
        <ConnectionTest caPem={caPem} storedRef={state.pullSecretRef} storedLabel="the saved pull secret" />
      </Card>
    </>
  );
}
