import { useState, type DragEvent } from 'react';

function carriesFiles(e: { dataTransfer: DataTransfer | null }): boolean {
  return e.dataTransfer?.types.includes('Files') ?? false;
}

/**
 * A field that takes a dropped file (a pull secret, a CA): the page reads it with the File API and
 * hands it on like an opened one, so it works the same in the desktop window and in a browser.
 */
export function useFileDrop(onFile: (file: File) => void) {
  const [over, setOver] = useState(false);
  const accept = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  return {
    over,
    props: {
      onDragEnter: accept,
      onDragOver: accept,
      onDragLeave: () => setOver(false),
      onDrop: (e: DragEvent) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        setOver(false);
        const file = e.dataTransfer.files[0];
        if (file) onFile(file);
      },
    },
  };
}

/**
 * A file dropped anywhere else does nothing: left to the browser it would open in place of the app (in
 * the desktop window navigation is refused anyway; in a browser the journey would be lost).
 */
export function ignoreStrayDrops(target: Window = window): void {
  for (const type of ['dragover', 'drop'] as const) {
    target.addEventListener(type, (event) => {
      const e = event as globalThis.DragEvent;
      // A drop zone of the page has taken it already.
      if (!carriesFiles(e) || e.defaultPrevented) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
    });
  }
}
