import { useCallback, useEffect } from 'react';
import { otherReleases } from '../../../../shared/imageset/journey';
import { getApi } from '../../api';
import { ActionError } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { UpdatePathPicture } from '../../components/UpdatePathPicture';
import { exportStore } from '../../journeys';
import { useStore } from '../../store';
import { useAction } from '../../use-action';

/**
 * The upgrade path this export carries (from an imported channel range, or a range picked on the update path):
 * how many releases travel, which, and their place on the update graph. The plan and the mirror job carry the same.
 */
export function CarriedPath() {
  const state = useStore(exportStore);
  const others = otherReleases(state);
  const pick = state.releasePick;
  const pathFn = useCallback((channel: string, arch: string, from: string, to: string) => getApi().release.path({ channel, arch, from, to }), []);
  const [load, loaded] = useAction(pathFn);
  const from = others.length > 0 ? pick?.from : undefined;
  useEffect(() => {
    if (pick && from) void load(pick.channel, pick.arch, from, pick.version);
  }, [load, pick?.channel, pick?.arch, from, pick?.version]);
  if (!pick || others.length === 0) return null;
  const versionOf = (pullspec: string) => (pullspec === pick.pullspec ? pick.version : (loaded.result?.releases.find((r) => r.pullspec === pullspec)?.version ?? pullspec));
  const view = loaded.result && loaded.result.from === from && loaded.result.to === pick.version ? loaded.result : undefined;
  return (
    <Card title="Upgrade path">
      <Callout
        tone="info"
        title={`${others.length + 1} releases travel in this transfer${from ? `: ${pick.shortestPath ? 'the shortest update path' : 'every release'} from ${from} to ${pick.version} in ${pick.channel}` : ''}.`}
        hint="The newest is the release a cluster ends on; each one travels with its signatures, and the blobs they share once."
      >
        <ol data-testid="carried-releases">
          {[...others, pick.pullspec].map((p) => (
            <li key={p} className="mono">
              {versionOf(p)}
            </li>
          ))}
        </ol>
        <div className="actions">
          <Button onClick={() => exportStore.update({ releasePick: { pullspec: pick.pullspec, channel: pick.channel, arch: pick.arch, version: pick.version } })}>Carry only {pick.version}</Button>
        </div>
      </Callout>
      <ActionError error={loaded.error} />
      {view ? <UpdatePathPicture view={view} /> : null}
    </Card>
  );
}
