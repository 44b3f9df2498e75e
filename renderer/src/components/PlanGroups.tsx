import { useState } from 'react';
import { formatBytes, shortDigest } from '../format';
import { matchesQuery, shortReference, type PlanGroup, type PlanImage } from '../plan-groups';
import { Button } from './Button';
import { Field } from './Field';
import { Table } from './Table';

/** Rows drawn per group until the operator asks for more: a catalog's thousands of images stay cheap. */
const PAGE = 100;

function GroupImages({ group, images }: { group: PlanGroup; images: PlanImage[] }) {
  const [shown, setShown] = useState(PAGE);
  return (
    <>
      <Table
        caption={`${group.kind.title}: images`}
        rows={images.slice(0, shown)}
        rowKey={(i) => `${i.source}@${i.digest}`}
        columns={[
          { header: 'Image', cell: (i) => <span className="mono">{i.components?.join(', ') ?? shortReference(i.source)}</span> },
          { header: 'Digest', cell: (i) => <span className="mono nowrap" title={i.digest}>{shortDigest(i.digest)}</span> },
          { header: 'Size', numeric: true, cell: (i) => formatBytes(i.bytes) },
          { header: 'New on the media', numeric: true, cell: (i) => formatBytes(i.written.reduce((n, w) => n + w.bytes, 0)) },
        ]}
      />
      {images.length > shown ? (
        <div className="actions">
          <Button variant="secondary" onClick={() => setShown((n) => n + PAGE)}>
            {`Show ${Math.min(PAGE, images.length - shown)} more of ${images.length - shown}`}
          </Button>
        </div>
      ) : null}
    </>
  );
}

/** Each group folded to one line of totals; a search opens the groups it finds something in. */
export function PlanGroups({ groups }: { groups: readonly PlanGroup[] }) {
  const [query, setQuery] = useState('');
  const searching = query.trim() !== '';
  return (
    <div className="plan-groups">
      <Field label="Find an image" help="Part of a component name, repository or digest.">
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />
      </Field>
      {groups.map((g) => {
        const images = searching ? g.images.filter((i) => matchesQuery(i, query)) : g.images;
        const summary = `${g.images.length} image(s), ${formatBytes(g.bytes)}, ${formatBytes(g.uniqueBytes)} new on the media`;
        return (
          // The key holds the search state, so a new search unfolds the groups again.
          <details key={`${g.kind.id}:${searching}`} className="plan-group" open={searching ? images.length > 0 : !g.kind.collapsed} data-group={g.kind.id}>
            <summary>
              <span className="swatch" aria-hidden="true" style={{ background: `var(${g.kind.color})` }} />
              <strong>{g.kind.title}</strong> <span className="muted">{summary}</span>
              {searching ? <span className="muted">{` · ${images.length} match(es)`}</span> : null}
            </summary>
            {images.length > 0 ? <GroupImages group={g} images={images} /> : <p className="muted">Nothing here matches “{query.trim()}”.</p>}
          </details>
        );
      })}
    </div>
  );
}
