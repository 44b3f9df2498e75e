import { useCallback } from 'react';
import { Card } from '../../components/Card';
import { JobStarter } from '../../components/JobStarter';
import { catalogRequests, exportStore, planKey, withDone } from '../../journeys';
import { useStore } from '../../store';

export function TransferStep() {
  const state = useStore(exportStore);
  const catalogs = catalogRequests(state.catalog);
  const request = useCallback(
    () => ({
      kind: 'mirror' as const,
      params: {
        ...(state.release.trim() ? { release: state.release.trim() } : {}),
        images: state.images,
        toDir: state.toDir.trim(),
        ...(state.volumeSize.trim() ? { volumeSize: state.volumeSize.trim() } : {}),
        ...(state.since.trim() ? { since: state.since.trim() } : {}),
        ...(state.withRegistry ? { withRegistry: true } : {}),
        ...(catalogs.length ? { catalogs } : {}),
        ...(state.pullSecretRef ? { pullSecretRef: state.pullSecretRef } : {}),
        caPems: state.cas.map((c) => c.pem),
      },
    }),
    [state.release, state.images, state.catalog, state.toDir, state.volumeSize, state.since, state.pullSecretRef, state.cas],
  );
  const ready = state.toDir.trim() !== '' && (state.release.trim() !== '' || state.images.length > 0 || catalogs.length > 0);
  return (
    <Card title="Write the transfer" subtitle={state.toDir ? `Into ${state.toDir}` : 'Choose the target directory in the Plan step first.'}>
      <p className="muted">Every blob is checked against its digest as it is written. A stopped transfer continues from the last complete blob.</p>
      <JobStarter
        jobId={state.transferJob}
        request={request}
        startLabel="Start transfer"
        disabled={!ready}
        onStarted={(id) => exportStore.update({ transferJob: id })}
        plannedFiles={state.plannedVolumes?.key === planKey(state) ? state.plannedVolumes.files : undefined}
        onFinished={(job) => job.state === 'succeeded' && exportStore.update((s) => ({ done: withDone(s.done, 'transfer') }))}
      />
    </Card>
  );
}
