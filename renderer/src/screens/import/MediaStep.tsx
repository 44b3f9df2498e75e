import { Card } from '../../components/Card';
import { PathField } from '../../components/PathField';
import { TransferSummary } from '../../components/TransferSummary';
import { importStore, withDone } from '../../journeys';
import { useStore } from '../../store';
import { remember, useSettings } from '../../settings';
import { ShowInFolder } from '../../components/ShowInFolder';

export function MediaStep() {
  const state = useStore(importStore);
  const settings = useSettings();
  return (
    <>
      <Card title="Where is the media?" subtitle="The directory holding transfer.json and the ferry-NNNNNN.tar volumes.">
        <PathField
          label="Transfer directory"
          kind="directory"
          value={state.dir}
          recent={settings?.mediaFolder}
          onChange={(v) =>
            // New media: anything learned about the previous one no longer holds.
            importStore.update({ dir: v, allowUnsigned: false, allowUntrusted: false, mediaVerified: undefined, verifyJob: undefined, pushJob: undefined, checkJob: undefined, receiptPath: v ? `${v.replace(/\/+$/, '')}/receipt.json` : '' })
          }
        />
      </Card>
      {state.dir.trim() ? (
        <Card title="Transfer">
          <TransferSummary
            dir={state.dir.trim()}
            onLoaded={() => {
              importStore.update((s) => ({ done: withDone(s.done, 'media') }));
              void remember({ mediaFolder: state.dir.trim() });
            }}
          />
          <ShowInFolder path={state.dir.trim()} what="the media" />
        </Card>
      ) : null}
    </>
  );
}
