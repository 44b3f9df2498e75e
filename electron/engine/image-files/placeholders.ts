import { Transform, type TransformCallback } from 'node:stream';
import { FerryError } from '../../../shared/errors';

/**
 * The placeholders `oc adm release extract --command` fills in a client binary, byte for byte as
 * openshift/oc pkg/cli/admin/release/extract_tools.go defines and writes them (the readers are
 * openshift/installer pkg/asset/releaseimage/default.go and pkg/version/version.go, and oc's own
 * pkg/version/version.go). A marker is `\0NAME\0` followed by `X` padding and a closing `\0`; the
 * binary sees the value as everything before the first NUL, and falls back to its built-in default
 * while the marker still starts with `\0NAME\0`.
 *
 * Replacement follows oc exactly: the first occurrence only; the value is written over the start of
 * the marker followed by one NUL, the rest of the marker is left as it was, so the file keeps its
 * length; a value longer than the marker minus one byte is refused.
 */
function marker(name: string, padding: number): Buffer {
  return Buffer.from(`\0${name}\0${'X'.repeat(padding)}\0`, 'latin1');
}

export const PLACEHOLDERS = {
  releaseImage: { name: 'release image', marker: marker('_RELEASE_IMAGE_LOCATION_', 300) },
  releaseVersion: { name: 'release version', marker: marker('_RELEASE_VERSION_LOCATION_', 64) },
  releaseArchitecture: { name: 'release architecture', marker: marker('_RELEASE_ARCHITECTURE_LOCATION_', 64) },
} as const;

export type PlaceholderKind = keyof typeof PLACEHOLDERS;

export interface Replacement {
  kind: PlaceholderKind;
  value: string;
}

/**
 * A pass-through stream that fills the placeholders as the bytes go by. Only a window of the longest
 * marker's length is held back, so a binary of any size streams in constant memory.
 */
export class PlaceholderFiller extends Transform {
  private readonly pending: Array<{ kind: PlaceholderKind; marker: Buffer; value: Buffer }>;
  private readonly keep: number;
  private tail = Buffer.alloc(0);
  /** What was found and filled, in the order found. */
  readonly filled: PlaceholderKind[] = [];

  constructor(replacements: readonly Replacement[]) {
    super();
    this.pending = replacements.map(({ kind, value }) => {
      const { name, marker } = PLACEHOLDERS[kind];
      const bytes = Buffer.from(value, 'utf8');
      if (bytes.length > marker.length - 1 || bytes.includes(0)) {
        throw new FerryError('INVALID_INPUT', `The ${name} "${value}" has ${bytes.length} bytes, but the binary holds at most ${marker.length - 1}.`, {
          hint: 'Use a shorter registry host or namespace for the mirror.',
        });
      }
      return { kind, marker, value: bytes };
    });
    this.keep = Math.max(0, ...this.pending.map((p) => p.marker.length - 1));
  }

  missing(): PlaceholderKind[] {
    return this.pending.map((p) => p.kind);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.pending.length === 0) return cb(null, chunk);
    // A copy: the bytes are rewritten in place, and the chunk belongs to the stream that gave it.
    const buf = Buffer.concat([this.tail, chunk]);
    for (const p of [...this.pending]) {
      const at = buf.indexOf(p.marker);
      if (at < 0) continue;
      p.value.copy(buf, at);
      buf[at + p.value.length] = 0;
      this.filled.push(p.kind);
      this.pending.splice(this.pending.indexOf(p), 1);
    }
    // A marker not yet whole in the buffer starts within its last `keep` bytes: hold those back.
    const emit = this.pending.length === 0 ? buf.length : Math.max(0, buf.length - this.keep);
    this.tail = buf.subarray(emit);
    cb(null, emit > 0 ? buf.subarray(0, emit) : undefined);
  }

  override _flush(cb: TransformCallback): void {
    cb(null, this.tail.length > 0 ? this.tail : undefined);
  }
}
