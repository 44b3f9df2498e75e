import { useCallback, useState } from 'react';
import { imageSetText, selectionFromImageSet, type ImportResult } from '../../../../shared/imageset/journey';
import { getApi, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { FileInput } from '../../components/FileInput';
import { useFileDrop } from '../../file-drop';
import { DEFAULT_VOLUME_SIZE, exportStore } from '../../journeys';
import { saveText } from '../../save';
import { useStore } from '../../store';
import { useAction } from '../../use-action';

function List({ items }: { items: string[] }) {
  return (
    <ul>
      {items.map((n) => (
        <li key={n}>{n}</li>
      ))}
    </ul>
  );
}

function summary(r: ImportResult): string {
  const s = r.selection;
  const parts = [
    s.releasePick ? `release ${s.releasePick.version} (${s.releasePick.channel}, ${s.releasePick.arch})${s.releasePick.releases?.length ? ` and the ${s.releasePick.releases.length} release(s) of its path before it` : ''}` : s.release ? `release ${s.release}` : 'no release',
    `${s.images.length} extra image(s)`,
    s.catalog.packages.length ? `${s.catalog.packages.length} operator package(s) from ${s.catalog.ref}` : 'no operators',
    `volumes of ${s.volumeSize}`,
    ...(s.graph ? ['the update graph for the OpenShift Update Service'] : []),
  ];
  return `Filled in from ${r.imported.name}: ${parts.join(', ')}.`;
}

/**
 * oc-mirror's imageset.yaml, as teams keep it in git: opened or dropped in the page, read on the host by the
 * CLI's reader (its refusals name the line), and written back from the journey's choices. The choices are
 * what the plan and the transfer carry, so the file committed reproduces the transfer.
 */
export function ImageSetCard({ canImport, onImported }: { canImport: boolean; onImported?: (images: string[]) => void }) {
  const state = useStore(exportStore);
  const readFn = useCallback(async (name: string, text: string) => {
    const read = await getApi().imageset.read({ name, text });
    return selectionFromImageSet(read, name, text, { volumeSize: DEFAULT_VOLUME_SIZE });
  }, []);
  const [read, imported] = useAction(readFn);
  const [saved, setSaved] = useState<{ message: string; notes: string[] }>();
  const noRead = useUnavailable('imageset.read');

  const openFile = (f: File) =>
    void f.text().then(async (text) => {
      setSaved(undefined);
      const r = await read(f.name, text);
      if (!r) return;
      const pick = r.selection.releasePick;
      exportStore.update({ ...r.selection, releasePick: pick, graph: r.selection.graph === true, imageSet: r.imported, ...(pick ? { channel: pick.channel, arch: pick.arch } : {}) });
      onImported?.(r.selection.images);
    });
  const drop = useFileDrop(openFile);

  const onExport = async () => {
    const { text, notes } = imageSetText(state, state.imageSet, DEFAULT_VOLUME_SIZE);
    // Media options of this export that an ImageSetConfiguration has no field for: the CLI takes them as flags.
    if (state.withRegistry) notes.push('The mirror registry travels too: an ImageSetConfiguration cannot say so; add --with-registry to ferry mirror --config.');
    if (state.since.trim()) notes.push(`Only what is missing since ${state.since.trim()} travels: add --since with that file to ferry mirror --config.`);
    const { message } = await saveText(state.imageSet?.name ?? 'imageset.yaml', text);
    setSaved({ message, notes });
  };

  return (
    <Card
      title="ImageSetConfiguration"
      subtitle={
        canImport
          ? "oc-mirror v2's imageset.yaml, as kept in git: import one to fill in the release, extra images and operators; export the choices to commit them. `ferry mirror --config` reads the same file."
          : 'The choices this plan is made from, as an imageset.yaml to commit: `ferry mirror --config` carries the same.'
      }
    >
      {canImport ? (
        <div className={drop.over ? 'drop-zone drop-over' : 'drop-zone'} {...drop.props}>
          <div className="actions">
            <FileInput label="Import imageset.yaml…" accept=".yaml,.yml,application/yaml,text/yaml" onFile={openFile} />
            <span className="muted">…or drop the file here.</span>
            <Button onClick={() => void onExport()}>Export imageset.yaml</Button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Button onClick={() => void onExport()}>Export imageset.yaml</Button>
        </div>
      )}
      {canImport && noRead ? <NotAvailable what={noRead} /> : null}
      {imported.busy ? <p className="muted">Reading the file and its channels' update graph…</p> : null}
      <ActionError error={imported.error} />
      {imported.result ? (
        <>
          <Callout tone="ok" title={summary(imported.result)}>
            {imported.result.applied.length ? <List items={imported.result.applied} /> : null}
          </Callout>
          {imported.result.notCarried.length ? (
            <Callout tone="warn" title={`Not carried from ${imported.result.imported.name}`} hint="Change the choices below if they are not what this transfer should carry; an export writes the choices as they are, without what is listed here.">
              <List items={imported.result.notCarried} />
            </Callout>
          ) : null}
        </>
      ) : null}
      {state.imageSet && !imported.result ? <p className="muted">{`Imported from ${state.imageSet.name}: an export changes only what was changed since.`}</p> : null}
      {saved ? (
        <Callout tone={saved.notes.length ? 'warn' : 'ok'} title={saved.message}>
          {saved.notes.length ? <List items={saved.notes} /> : null}
        </Callout>
      ) : null}
    </Card>
  );
}
