import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { TransferSummary } from '../../components/TransferSummary';
import { exportStore, withDone } from '../../journeys';
import { useStore } from '../../store';

export function DoneStep() {
  const state = useStore(exportStore);
  return (
    <Card title="What to carry" subtitle={state.toDir}>
      {!state.toDir ? <p className="muted">Nothing written yet: choose the target directory in the Plan step.</p> : null}
      <TransferSummary dir={state.toDir} onLoaded={() => exportStore.update((s) => ({ done: withDone(s.done, 'done') }))} />
      {state.toDir ? (
        <Callout tone="info" title="On the disconnected side">
          <p>Copy the whole directory. In Ferry’s Import journey, compare the fingerprint above with the one shown there before pushing.</p>
        </Callout>
      ) : null}
    </Card>
  );
}
