import { useCallback, useMemo } from 'react';
import { getApi, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { NotCarried } from '../../components/NotCarried';
import { Card } from '../../components/Card';
import { DependencyMissing } from '../../components/DependencyMissing';
import { Field } from '../../components/Field';
import { PathField } from '../../components/PathField';
import { PlanGroups } from '../../components/PlanGroups';
import { PlanPicture } from '../../components/PlanPicture';
import { formatBytes, shortDigest } from '../../format';
import { groupPlan } from '../../plan-groups';
import { ImageSetCard } from './ImageSetCard';
import { otherReleases } from '../../../../shared/imageset/journey';
import { catalogRequests, exportStore, planKey, withDone } from '../../journeys';
import { useStore } from '../../store';
import { remember, useSettings } from '../../settings';
import { useAction } from '../../use-action';

type PlanResult = Awaited<ReturnType<ReturnType<typeof getApi>['plan']['export']>>;

/** A release never travels without its signature unnoticed: what the store gave, or why nothing. */
function ReleaseSignatures({ signatures }: { signatures: PlanResult['releaseSignatures'] }) {
  if (!signatures) return null;
  const title =
    signatures.verified > 0
      ? `Release signature: ${signatures.verified} verified from ${signatures.store ?? 'the signature store'}; the cluster configuration step hands out its ConfigMap.`
      : 'The release travels without a verified signature.';
  return (
    <Callout tone={signatures.verified > 0 && signatures.warnings.length === 0 ? 'ok' : 'warn'} title={title}>
      {signatures.warnings.length > 0 ? (
        <ul>
          {signatures.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </Callout>
  );
}

/** The releases of an upgrade path, in the order a cluster passes them, each with its verified signatures. */
function UpgradePath({ releases }: { releases: PlanResult['releases'] }) {
  if (!releases) return null;
  return (
    <Callout tone="ok" title={`Upgrade path: ${releases.length} releases travel together, ${releases.map((r) => r.version).join(' → ')}`}>
      <ol data-testid="plan-releases">
        {releases.map((r) => (
          <li key={r.digest}>
            {r.version} ({r.architecture}) <span className="mono">{shortDigest(r.digest)}</span>
            {r.verified !== undefined ? `, ${r.verified} signature(s) verified` : ''}
          </li>
        ))}
      </ol>
    </Callout>
  );
}

/** The graph-data image the update service on the other side reads: what it holds and where it came from. */
function GraphImage({ graph }: { graph: PlanResult['graph'] }) {
  if (!graph) return null;
  return (
    <Callout
      tone="ok"
      title={`Carries the update graph for the OpenShift Update Service: ${graph.files} file(s) of graph data in the graph image ${graph.image.source.split('@')[0]!}.`}
      hint="On the other side, the cluster configuration step hands out the UpdateService and the ClusterVersion upstream patch that point the cluster at it."
    >
      <dl className="kv" data-testid="plan-graph">
        <dt>Graph data</dt>
        <dd className="mono">{graph.url}</dd>
        <dt>Image</dt>
        <dd className="mono">{shortDigest(graph.image.digest)}</dd>
        <dt>Built on</dt>
        <dd className="mono">{graph.base}</dd>
      </dl>
    </Callout>
  );
}

/** Grouping 180 components (or a catalog's thousands) is worth doing once per plan, not per keystroke. */
function PlanView({ plan, target }: { plan: PlanResult; target: string }) {
  const groups = useMemo(() => groupPlan(plan.images), [plan]);
  return (
    <>
      <PlanPicture plan={plan} groups={groups} target={target} />
      <PlanGroups groups={groups} />
    </>
  );
}

export function PlanStep() {
  const state = useStore(exportStore);
  const planFn = useCallback(
    () =>
      getApi().plan.export({
        ...(state.release.trim() ? { release: state.release.trim() } : {}),
        ...(otherReleases(state).length ? { releases: otherReleases(state) } : {}),
        images: state.images,
        toDir: state.toDir.trim(),
        volumeSize: state.volumeSize.trim() || undefined,
        ...(state.since.trim() ? { since: state.since.trim() } : {}),
        ...(state.withRegistry ? { withRegistry: true } : {}),
        ...(catalogRequests(state.catalog).length ? { catalogs: catalogRequests(state.catalog) } : {}),
        ...(state.graph ? { graph: true } : {}),
        pullSecretRef: state.pullSecretRef,
        caPems: state.cas.map((c) => c.pem),
      }),
    [state.release, state.releasePick, state.images, state.catalog, state.toDir, state.volumeSize, state.since, state.withRegistry, state.graph, state.pullSecretRef, state.cas],
  );
  const [plan, planned] = useAction(planFn);
  const settings = useSettings();
  const onPlan = async () => {
    const r = await plan();
    if (!r) return;
    exportStore.update((s) => ({ done: withDone(s.done, 'plan'), plannedVolumes: { key: planKey(state), volumeSize: r.volumes.volumeSize, files: r.volumes.files } }));
    void remember({ mediaFolder: state.toDir.trim() });
  };
  const noPlan = useUnavailable('plan.export');
  const nothing = !state.release.trim() && state.images.length === 0 && catalogRequests(state.catalog).length === 0 && !state.graph;
  return (
    <>
      <Card title="Where to write" subtitle="The removable disk, or a folder on it. Ferry checks the free space before writing.">
        <PathField label="Target directory" kind="directory" value={state.toDir} recent={settings?.mediaFolder} onChange={(v) => exportStore.update({ toDir: v })} />
        <Field label="Volume size" help="Each volume file is at most this big; the default 4000MiB is safe on FAT32.">
          <input type="text" value={state.volumeSize} onChange={(e) => exportStore.update({ volumeSize: e.target.value })} spellCheck={false} />
        </Field>
        <PathField
          label="Only what is missing since (optional)"
          help="The receipt.json carried back from the disconnected side, or the previous transfer.json: the new media holds only what the mirror lacks."
          kind="file"
          value={state.since}
          onChange={(v) => exportStore.update({ since: v })}
        />
        <label className="check">
          <input type="checkbox" checked={state.withRegistry} onChange={(e) => exportStore.update({ withRegistry: e.target.checked })} />
          Carry the mirror registry too (the site has no registry yet: the import side builds a registry node kit from these media)
        </label>
        <div className="actions">
          <Button variant="primary" onClick={() => void onPlan()} disabled={nothing || !state.toDir.trim() || !!noPlan} busy={planned.busy}>
            Make the plan
          </Button>
          {nothing ? <span className="muted">Choose a release, operators or extra images first.</span> : null}
        </div>
        {noPlan ? <NotAvailable what={noPlan} /> : null}
        {planned.error?.code === 'DEPENDENCY_MISSING' ? (
          <DependencyMissing
            error={planned.error}
            onAddDependencies={() => exportStore.update((s) => ({ catalog: { ...s.catalog, withDependencies: true } }))}
          />
        ) : (
          <ActionError error={planned.error} />
        )}
      </Card>
      {planned.result ? (
        <Card title="Plan">
          {planned.result.fits ? (
            <Callout tone="ok" title={`Fits: ${planned.result.volumes.count} volume(s) of up to ${formatBytes(planned.result.volumes.volumeSize)}, ${formatBytes(planned.result.volumes.bytes)} in all; ${formatBytes(planned.result.freeBytes)} free.`} />
          ) : (
            <Callout
              tone="error"
              title={`Not enough space: ${formatBytes(planned.result.volumes.bytes)} needed, ${formatBytes(planned.result.freeBytes)} free on ${state.toDir}.`}
              hint="Choose a larger disk, or a smaller set of images."
            />
          )}
          <UpgradePath releases={planned.result.releases} />
          <ReleaseSignatures signatures={planned.result.releaseSignatures} />
          <NotCarried
            failed={planned.result.failed}
            title={`${planned.result.failed?.length ?? 0} image(s) cannot be fetched now and will be left out; the rest will be carried`}
            hint="Check each reference and its registry's credentials, or go on: running the same export into this folder again fetches only these."
          />
          <GraphImage graph={planned.result.graph} />
          {planned.result.registry ? (
            <Callout tone="ok" title={`Carries the mirror registry ${planned.result.registry.ref} for ${planned.result.registry.platform}, pinned as ${shortDigest(planned.result.registry.source.split('@')[1] ?? '')}.`} />
          ) : null}
          <dl className="kv">
            <dt>Images</dt>
            <dd>{planned.result.images.length}</dd>
            <dt>Bytes (all images)</dt>
            <dd>{formatBytes(planned.result.totalBytes)}</dd>
            <dt>Bytes to write (each blob once)</dt>
            <dd>{formatBytes(planned.result.uniqueBytes)}</dd>
          </dl>
          <PlanView plan={planned.result} target={state.toDir} />
        </Card>
      ) : null}
      <ImageSetCard canImport={false} />
    </>
  );
}
