import { useCallback, useEffect } from 'react';
import { getApi } from '../api';
import { formatTime } from '../format';
import { describeSecretStore } from '../secret-store';
import { useAction } from '../use-action';
import { ActionError } from './ActionError';
import { Button } from './Button';
import { EmptyState } from './EmptyState';
import { Table } from './Table';

/** What the secret store holds, by name only (values never come back), with a way to forget each. */
export function SavedSecrets({ refreshKey, onDeleted }: { refreshKey?: string; onDeleted?: (name: string) => void }) {
  const listFn = useCallback(() => getApi().secrets.list(), []);
  const [list, listed] = useAction(listFn);
  const deleteFn = useCallback((name: string) => getApi().secrets.delete({ name }), []);
  const [remove, removed] = useAction(deleteFn);
  useEffect(() => {
    void list();
  }, [list, refreshKey]);
  const forget = async (name: string) => {
    if (await remove(name)) {
      onDeleted?.(name);
      void list();
    }
  };
  return (
    <>
      {listed.result ? <p className="muted">{`Kept in ${describeSecretStore(listed.result.store)}.`}</p> : null}
      <ActionError error={listed.error} />
      <ActionError error={removed.error} />
      {listed.result ? (
        <Table
          caption="Remembered credentials"
          rows={listed.result.secrets}
          rowKey={(s) => s.name}
          empty={<EmptyState title="Nothing remembered">Saved pull secrets and registry passwords are listed here by name.</EmptyState>}
          columns={[
            { header: 'Name', cell: (s) => <span className="mono">{s.name}</span> },
            { header: 'Kind', cell: (s) => s.kind },
            { header: 'Registry', cell: (s) => s.registry ?? '—' },
            { header: 'User', cell: (s) => s.username ?? '—' },
            { header: 'Saved', cell: (s) => formatTime(s.updatedAt) },
            {
              header: 'Action',
              cell: (s) => (
                <Button small variant="danger" onClick={() => void forget(s.name)} aria-label={`Forget ${s.name}`}>
                  Forget
                </Button>
              ),
            },
          ]}
        />
      ) : null}
    </>
  );
}
