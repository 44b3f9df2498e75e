import { useCallback } from 'react';
import { Card } from '../../components/Card';
import { JobStarter } from '../../components/JobStarter';
import { otherReleases, unchangedImport } from '../../../../shared/imageset/journey';
import { catalogRequests, exportStore, planKey, withDone } from '../../journeys';
import { useStore } from '../../store';

export function TransferStep() {
  const state = useStore(exportStore);
  const catalogs = catalogRequests(state.catalog);
  const imageSet = unchangedImport(state, state.imageSet);
  const request = useCallback(
    () => ({
      kind: 'mirror' as const,
      params: {
        ...(state.release.trim() ? { release: state.release.trim() } : {}),
        ...(otherReleases(state).length ? { releases: otherReleases(state) } : {}),
        images: state.images,
        toDir: state.toDir.trim(),
        ...(state.volumeSize.trim() ? { volumeSize: state.volumeSize.trim() } : {}),
        ...(state.since.trim() ? { since: state.since.trim() } : {}),
        ...(state.withRegistry ? { withRegistry: true } : {}),
        ...(catalogs.length ? { catalogs } : {}),
        ...(state.graph ? { graph: true } : {}),
        // transfer.json records the file only when this transfer is what the file says, as `ferry mirror --config` does.
        ...(imageSet ? { imageSet: { name: imageSet.name, text: imageSet.text } } : {}),
        ...(state.pullSecretRef ? { pullSecretRef: state.pullSecretRef } : {}),
        caPems: state.cas.map((c) => c.pem),
      },
    }),
    [state.release, state.releasePick, state.images, state.catalog, state.toDir, state.volumeSize, state.since, state.withRegistry, state.graph, state.pullSecretRef, state.cas, imageSet],
  );
  const ready = state.toDir.trim() !== '' && (state.release.trim() !== '' || state.images.length > 0 || catalogs.length > 0 || state.graph === true);
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
