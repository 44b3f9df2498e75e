import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { CodeBlock } from '../../components/CodeBlock';
import { Field } from '../../components/Field';
import { ShowInFolder } from '../../components/ShowInFolder';
import { useJob } from '../../jobs';
import { importStore, withDone } from '../../journeys';
import { useStore } from '../../store';
import { useEffect } from 'react';

/**
 * The receipt records what the mirror now holds; carried back, it makes the next export a delta.
 * The push writes it (by default onto the media, which goes back anyway).
 */
export function ReceiptStep() {
  const state = useStore(importStore);
  const { job } = useJob(state.pushJob);
  const pushed = job?.state === 'succeeded';
  useEffect(() => {
    if (pushed) importStore.update((s) => ({ done: withDone(s.done, 'receipt') }));
  }, [pushed]);
  return (
    <Card title="Receipt to carry back">
      <Field label="Receipt file" help="Where the push writes receipt.json; change it before starting the push.">
        <input type="text" value={state.receiptPath} onChange={(e) => importStore.update({ receiptPath: e.target.value })} disabled={state.pushJob !== undefined} spellCheck={false} />
      </Field>
      {pushed ? (
        <>
          <Callout tone="ok" title={`Receipt written to ${state.receiptPath || 'the push’s default location'}.`}>
            <p>On the connected side, start the next export with “since this receipt” so only what is missing is written.</p>
            {state.receiptPath ? <ShowInFolder path={state.receiptPath} what="the receipt" /> : null}
          </Callout>
          {job?.report !== undefined ? <CodeBlock name="Push report" fileName="push-report.json" text={JSON.stringify(job.report, null, 2)} /> : null}
        </>
      ) : (
        <p className="muted">The receipt exists once the push has finished.</p>
      )}
    </Card>
  );
}
