import { useCallback, useState } from 'react';
import { getApi, useAppInfo, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { UpdatePathPicture } from '../../components/UpdatePathPicture';
import { formatBytes, shortDigest } from '../../format';
import { imageListErrors } from '../../image-list';
import { releaseOptionLabel, risksOfChoice } from '../../release-choice';
import { exportStore, withDone } from '../../journeys';
import { CarriedPath } from './CarriedPath';
import { ImageSetCard } from './ImageSetCard';
import { useStore } from '../../store';
import type { UpdatePathView } from '../../update-path-layout';
import { useAction } from '../../use-action';

const ARCHES = ['amd64', 'arm64', 'ppc64le', 's390x', 'multi'];

export function ReleaseStep() {
  const state = useStore(exportStore);
  const caPems = state.cas.map((c) => c.pem);
  const [imagesText, setImagesText] = useState(state.images.join('\n'));
  const listFn = useCallback((channel: string, arch: string) => getApi().release.list({ channel, arch }), []);
  const [list, listed] = useAction(listFn);
  const infoFn = useCallback((pullspec: string) => getApi().release.info({ pullspec, pullSecretRef: state.pullSecretRef, caPems }), [state.pullSecretRef, caPems.join()]);
  const [lookup, info] = useAction(infoFn);
  const imageErrors = imageListErrors(imagesText.split('\n'));
  const noList = useUnavailable('release.list');
  const { info: appInfo } = useAppInfo();
  const chosen = listed.result ? risksOfChoice(listed.result.releases, state.release) : undefined;
  const noInfo = useUnavailable('release.info');
  const [clusterAt, setClusterAt] = useState('');
  const pathFn = useCallback((channel: string, arch: string, from: string, to: string) => getApi().release.path({ channel, arch, from, to }), []);
  const [showPath, path] = useAction(pathFn);
  const [shortestOnly, setShortestOnly] = useState(false);
  // The range as the CLI resolves minVersion..maxVersion (update-path.ts): the chosen release last, the others before it in path order.
  const carryRange = (view: UpdatePathView, shortestPath: boolean) => {
    const pickOf = state.releasePick?.pullspec === state.release ? state.releasePick : listed.result && chosenVersion ? { pullspec: state.release, channel: listed.result.channel, arch: listed.result.arch, version: chosenVersion } : undefined;
    if (!pickOf) return;
    const versions = shortestPath ? view.path : view.releases.map((r) => r.version);
    const releases = versions.slice(0, -1).map((v) => view.releases.find((r) => r.version === v)!.pullspec);
    exportStore.update({ releasePick: { pullspec: pickOf.pullspec, channel: pickOf.channel, arch: pickOf.arch, version: pickOf.version, releases, from: view.from, ...(shortestPath ? { shortestPath: true } : {}) } });
  };
  // A version picked from the list is named by channel and version in an exported imageset.yaml.
  const pick = (pullspec: string) => {
    const r = listed.result?.releases.find((x) => x.pullspec === pullspec);
    exportStore.update({ release: pullspec, releasePick: r && listed.result ? { pullspec, channel: listed.result.channel, arch: listed.result.arch, version: r.version } : undefined });
  };
  const chosenVersion = listed.result?.releases.find((r) => r.pullspec === state.release)?.version;
  // Newest first, as the list is: the versions a cluster could be running before the chosen one.
  const olderThanChosen = chosenVersion ? (listed.result?.releases ?? []).slice((listed.result?.releases ?? []).findIndex((r) => r.version === chosenVersion) + 1) : [];

  return (
    <>
      <ImageSetCard canImport onImported={(images) => setImagesText(images.join('\n'))} />
      <CarriedPath />
      <Card
        title="From the update graph"
        subtitle={`Needs access to api.openshift.com${appInfo?.proxy ? ` (through the proxy ${appInfo.proxy})` : ''}; otherwise give a release pullspec below.`}
      >
        <div className="row">
          <Field label="Channel" help="e.g. stable-4.15, fast-4.16, eus-4.14">
            <input type="text" value={state.channel} onChange={(e) => exportStore.update({ channel: e.target.value })} spellCheck={false} />
          </Field>
          <Field label="Architecture">
            <select value={state.arch} onChange={(e) => exportStore.update({ arch: e.target.value })}>
              {ARCHES.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </Field>
        </div>
        <div className="actions">
          <Button onClick={() => void list(state.channel.trim(), state.arch)} busy={listed.busy} disabled={!state.channel.trim() || !!noList}>
            Load versions
          </Button>
        </div>
        {noList ? <NotAvailable what={noList} /> : null}
        {listed.error?.code === 'UNREACHABLE' ? (
          <Callout tone="warn" title="The update graph cannot be reached from here." hint="Enter the release pullspec below (quay.io/openshift-release-dev/ocp-release:VERSION-ARCH).">
            {listed.error.message}
          </Callout>
        ) : (
          <ActionError error={listed.error} />
        )}
        {listed.result ? (
          listed.result.releases.length === 0 ? (
            <p className="muted">No versions in {listed.result.channel} for {listed.result.arch}.</p>
          ) : (
            <Field label="Version">
              <select value={state.release} onChange={(e) => pick(e.target.value)}>
                <option value="">Choose a version…</option>
                {listed.result.releases.map((r) => (
                  <option key={r.pullspec} value={r.pullspec}>
                    {releaseOptionLabel(r)}
                  </option>
                ))}
              </select>
            </Field>
          )
        ) : null}
        {chosen ? (
          <Callout
            tone="warn"
            title={
              chosen.release.conditionalOnly
                ? `${chosen.release.version} is reached only through conditional updates, which have known risks.`
                : `Some updates to ${chosen.release.version} are conditional, with known risks.`
            }
            hint="Read each risk before choosing this version; a cluster the risk applies to will not recommend the update."
          >
            <ul>
              {chosen.risks.map((x) => (
                <li key={x.name}>
                  <strong>{x.name}</strong>: {x.message}
                  {x.url ? (
                    <>
                      {' '}
                      <span className="mono">{x.url}</span>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </Callout>
        ) : null}
        {chosenVersion && olderThanChosen.length > 0 ? (
          <>
            <div className="row">
              <Field label="The cluster now runs" help="To see which releases an update to the chosen version passes through.">
                <select value={clusterAt} onChange={(e) => setClusterAt(e.target.value)}>
                  <option value="">Choose its version…</option>
                  {olderThanChosen.map((r) => (
                    <option key={r.version}>{r.version}</option>
                  ))}
                </select>
              </Field>
            </div>
            <div className="actions">
              <Button onClick={() => void showPath(state.channel.trim(), state.arch, clusterAt, chosenVersion)} busy={path.busy} disabled={!clusterAt}>
                Show update path
              </Button>
            </div>
            <ActionError error={path.error} />
            {path.result && path.result.to === chosenVersion && path.result.from === clusterAt ? (
              <>
                <UpdatePathPicture view={path.result} />
                {path.result.path.length > 2 ? (
                  <Callout tone="info" title={`The update passes through ${path.result.path.length - 2} release(s) before ${chosenVersion}.`} hint="One transfer can carry them all, as oc-mirror's channel range (minVersion, maxVersion) does: the cluster updates without another trip.">
                    {path.result.path.slice(1, -1).join(', ')}
                  </Callout>
                ) : null}
                <label className="check">
                  <input type="checkbox" checked={shortestOnly} onChange={(e) => setShortestOnly(e.target.checked)} /> Only the releases of the shortest path (oc-mirror's shortestPath)
                </label>
                <div className="actions">
                  <Button onClick={() => carryRange(path.result!, shortestOnly)}>
                    Carry every release from {clusterAt} to {chosenVersion}
                  </Button>
                </div>
              </>
            ) : null}
          </>
        ) : null}
      </Card>
      <Card title="Release">
        <Field label="Release pullspec" help="e.g. quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64 or …@sha256:…">
          <input type="text" value={state.release} onChange={(e) => exportStore.update({ release: e.target.value })} spellCheck={false} autoComplete="off" />
        </Field>
        <div className="actions">
          <Button
            onClick={() => void lookup(state.release.trim()).then((r) => r && exportStore.update((s) => ({ done: withDone(s.done, 'release') })))}
            disabled={!state.release.trim() || !!noInfo}
            busy={info.busy}
          >
            Look up release
          </Button>
        </div>
        {noInfo ? <NotAvailable what={noInfo} /> : null}
        <ActionError error={info.error} />
        {info.result ? (
          <dl className="kv">
            <dt>Version</dt>
            <dd>{info.result.version}</dd>
            <dt>Architecture</dt>
            <dd>
              {info.result.architecture}
              {info.result.architecture === 'multi' && info.result.platforms ? ` — every architecture travels: ${info.result.platforms.join(', ')}` : null}
            </dd>
            <dt>Digest</dt>
            <dd className="mono">{info.result.digest}</dd>
            <dt>Components</dt>
            <dd>{info.result.components.length}</dd>
            {info.result.totalBytes !== undefined ? (
              <>
                <dt>Size</dt>
                <dd>
                  {formatBytes(info.result.totalBytes)}
                  {info.result.uniqueBytes !== undefined ? ` (${formatBytes(info.result.uniqueBytes)} unique)` : ''}
                </dd>
              </>
            ) : null}
            <dt>First components</dt>
            <dd>
              {info.result.components
                .slice(0, 5)
                .map((c) => `${c.name} ${shortDigest(c.digest)}`)
                .join(', ')}
            </dd>
          </dl>
        ) : null}
      </Card>
      <Card
        title="Update service"
        subtitle="For a cluster that takes its updates from an OpenShift Update Service on the disconnected side (oc-mirror's graph: true)."
      >
        <label className="check">
          <input type="checkbox" checked={state.graph === true} onChange={(e) => exportStore.update({ graph: e.target.checked })} />
          Carry the update graph for the OpenShift Update Service
        </label>
        <p className="muted">The update service&apos;s graph data travels as an image; on the other side, the cluster configuration step hands out the UpdateService and the ClusterVersion upstream patch that point the cluster at it.</p>
      </Card>
      <Card title="Extra images" subtitle="Operators, tools or your own images to carry along; one reference per line.">
        <Field label="Extra image references" error={imageErrors.length > 0 ? imageErrors.join(' ') : undefined}>
          <textarea
            value={imagesText}
            spellCheck={false}
            onChange={(e) => {
              setImagesText(e.target.value);
              const lines = e.target.value.split('\n');
              if (imageListErrors(lines).length === 0) exportStore.update({ images: lines.map((l) => l.trim()).filter(Boolean) });
            }}
          />
        </Field>
      </Card>
    </>
  );
}
