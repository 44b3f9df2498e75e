import { useCallback, useEffect, useState } from 'react';
import { getApi, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { Table } from '../../components/Table';
import { formatBytes } from '../../format';
import { exportStore, packageSpec, withDone, type CatalogChoice, type OperatorChoice } from '../../journeys';
import { estimate, type ListedPackage } from '../../operator-choice';
import { useStore } from '../../store';
import { useAction } from '../../use-action';

/** Rows of the package list drawn at once: a catalog of hundreds of packages is searched, not scrolled. */
const SHOWN = 200;

function setCatalog(patch: (c: CatalogChoice) => Partial<CatalogChoice>): void {
  exportStore.update((s) => ({ catalog: { ...s.catalog, ...patch(s.catalog) } }));
}

function setPick(name: string, patch: Partial<OperatorChoice>): void {
  setCatalog((c) => ({ packages: c.packages.map((p) => (p.package === name ? { ...p, ...patch } : p)) }));
}

function sizeText(bytes: number, known: boolean): string {
  return `${known ? '' : 'at least '}${formatBytes(bytes)}`;
}

/** One picked package: its channel and the oldest and newest versions to carry. */
function PickedPackage({ pick, listed }: { pick: OperatorChoice; listed: ListedPackage | undefined }) {
  // An empty channel (from an imported imageset.yaml) is the package's default one, as the resolver reads it.
  const channel = listed?.channels.find((c) => c.name === (pick.channel || listed.defaultChannel));
  // Until the catalog is read, the picked range is all there is to show.
  const versions = channel?.versions ?? [...new Set([pick.min, pick.max].filter(Boolean))];
  return (
    <fieldset className="operator-pick" data-package={pick.package}>
      <legend>{pick.package}</legend>
      <div className="row">
        <Field label={`Channel of ${pick.package}`}>
          <select value={pick.channel} onChange={(e) => setPick(pick.package, { channel: e.target.value, min: '', max: '' })}>
            {pick.channel === '' ? <option value="">Default channel</option> : null}
            {(listed?.channels ?? (pick.channel ? [{ name: pick.channel }] : [])).map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
                {c.name === listed?.defaultChannel ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label={`Oldest version of ${pick.package}`} help="Clusters upgrade from here; empty: the channel head only.">
          <select value={pick.min} onChange={(e) => setPick(pick.package, { min: e.target.value })}>
            <option value="">Head only</option>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
        <Field label={`Newest version of ${pick.package}`} help="Empty: up to the channel head.">
          <select value={pick.max} onChange={(e) => setPick(pick.package, { max: e.target.value })}>
            <option value="">Channel head</option>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
      </div>
      {channel?.deprecated ? <Callout tone="warn" title={`The ${channel.name} channel is deprecated: ${channel.deprecated}`} /> : null}
      <div className="actions">
        <Button variant="secondary" onClick={() => setCatalog((c) => ({ packages: c.packages.filter((p) => p.package !== pick.package) }))}>
          {`Remove ${pick.package}`}
        </Button>
      </div>
    </fieldset>
  );
}

export function OperatorsStep() {
  const state = useStore(exportStore);
  const choice = state.catalog;
  const caPems = state.cas.map((c) => c.pem);
  const listFn = useCallback((ref: string) => getApi().catalog.list({ ref, pullSecretRef: state.pullSecretRef, caPems }), [state.pullSecretRef, caPems.join()]);
  const [load, loaded, forget] = useAction(listFn);
  // Sizes fetch every manifest a package names: asked per picked package, not for the whole catalog.
  const [sized, setSized] = useState<Record<string, ListedPackage>>({});
  const [query, setQuery] = useState('');
  const noList = useUnavailable('catalog.list');

  const sizeOf = useCallback(
    (name: string) => {
      void getApi()
        .catalog.list({ ref: choice.ref.trim(), package: name, pullSecretRef: state.pullSecretRef, caPems })
        .then((r) => r.packages[0] && setSized((s) => ({ ...s, [name]: r.packages[0]! })))
        // Without sizes the estimate says "at least"; the plan step gives the exact figure.
        .catch(() => undefined);
    },
    [choice.ref, state.pullSecretRef, caPems.join()],
  );

  // Coming back to the step: the catalog picked before is read again, with the sizes of what was picked.
  useEffect(() => {
    if (choice.ref.trim() && choice.packages.length > 0) {
      void load(choice.ref.trim());
      for (const p of choice.packages) sizeOf(p.package);
    }
    // Once per visit, with the choice as it was on arrival.
  }, []);

  const packages = loaded.result?.packages ?? [];
  const listedByName = new Map(packages.map((p) => [p.name, p]));
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const found = packages.filter((p) => terms.every((t) => p.name.toLowerCase().includes(t)));
  const picked = new Set(choice.packages.map((p) => p.package));
  const toggle = (pkg: ListedPackage, on: boolean) => {
    if (on) {
      setCatalog((c) => ({ packages: [...c.packages, { package: pkg.name, channel: pkg.defaultChannel, min: '', max: '' }] }));
      sizeOf(pkg.name);
    } else setCatalog((c) => ({ packages: c.packages.filter((p) => p.package !== pkg.name) }));
  };
  const rows = choice.packages.map((pick) => ({ pick, est: estimate(sized[pick.package] ?? listedByName.get(pick.package), pick) }));
  const total = rows.reduce((n, r) => n + (r.est?.bytes ?? 0), 0);
  const totalKnown = rows.every((r) => r.est?.known);

  return (
    <>
      <Card title="Operator catalog" subtitle="Operators from a file-based catalog image: only the packages, channels and versions you pick travel, with a catalog rebuilt to hold just those.">
        <Field label="Catalog image" help="e.g. registry.redhat.io/redhat/redhat-operator-index:v4.15">
          <input
            type="text"
            value={choice.ref}
            onChange={(e) => {
              // Picks, the package list and sizes belong to the catalog they came from.
              setCatalog(() => ({ ref: e.target.value, packages: [] }));
              setSized({});
              forget();
            }}
            spellCheck={false}
            autoComplete="off"
          />
        </Field>
        <div className="actions">
          <Button onClick={() => void load(choice.ref.trim()).then((r) => r && exportStore.update((s) => ({ done: withDone(s.done, 'operators') })))} busy={loaded.busy} disabled={!choice.ref.trim() || !!noList}>
            Load catalog
          </Button>
          <span className="muted">No operators to carry? Go on to the plan.</span>
        </div>
        {noList ? <NotAvailable what={noList} /> : null}
        <ActionError error={loaded.error} />
        {loaded.result ? (
          <>
            <p className="muted">
              {`${loaded.result.packages.length} package(s) in ${loaded.result.catalog.reference} (${loaded.result.catalog.platform}).`}
            </p>
            <Field label="Find a package" help="Part of the package name.">
              <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />
            </Field>
            {found.length === 0 ? (
              <p className="muted">No package matches “{query.trim()}”.</p>
            ) : (
              <ul className="package-list" aria-label="Packages">
                {found.slice(0, SHOWN).map((p) => (
                  <li key={p.name}>
                    <label className="check">
                      <input type="checkbox" checked={picked.has(p.name)} onChange={(e) => toggle(p, e.target.checked)} />
                      <span>
                        <strong>{p.name}</strong> <span className="muted">{`default channel ${p.defaultChannel}; ${p.channels.length} channel(s)`}</span>
                        {p.deprecated ? <span className="muted">{` — deprecated: ${p.deprecated}`}</span> : null}
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {found.length > SHOWN ? <p className="muted">{`${found.length - SHOWN} more match: narrow the search.`}</p> : null}
          </>
        ) : null}
      </Card>
      {choice.packages.length > 0 ? (
        <Card title="Picked operators" subtitle="Each package's upgrade graph decides which bundles a cluster needs inside the range; the plan lists them all.">
          {choice.packages.map((pick) => (
            <PickedPackage key={pick.package} pick={pick} listed={listedByName.get(pick.package)} />
          ))}
          <label className="check">
            <input type="checkbox" checked={choice.withDependencies} onChange={(e) => setCatalog(() => ({ withDependencies: e.target.checked }))} />
            Add what they depend on (packages and APIs the picked bundles require, from the same catalog)
          </label>
          <Table
            caption="Estimated size of the picked operators"
            rows={rows}
            rowKey={(r) => r.pick.package}
            columns={[
              { header: 'Selection', cell: (r) => <span className="mono">{packageSpec(r.pick)}</span> },
              { header: 'Versions', cell: (r) => (r.est ? r.est.versions.join(', ') || 'none in this range' : '…') },
              { header: 'Size with related images', numeric: true, cell: (r) => (r.est ? sizeText(r.est.bytes, r.est.known) : '…') },
            ]}
          />
          <p data-testid="operators-estimate">
            <strong>{`About ${sizeText(total, totalKnown)}`}</strong>
            <span className="muted"> for the picked operators, before bytes shared with other images are counted once; the plan gives the exact figure.</span>
          </p>
        </Card>
      ) : null}
    </>
  );
}
