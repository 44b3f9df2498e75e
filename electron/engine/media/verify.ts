import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { FerryError } from '../../../shared/errors';
import { join } from 'node:path';
import tar from 'tar-stream';
import type { ProgressListener } from '../../../shared/progress';
import { isParentLocation, isPartsLocation, type TransferBlob, type TransferManifest } from '../../../shared/transfer/manifest';
import type { SignatureCheck } from '../../../shared/transfer/signature';
import type { VerifyProblem, VerifyReport } from '../../../shared/transfer/verify-report';
import { checkTransferTrust, type TrustPolicy } from '../signing/trust-policy';
import { TAR_BLOCK } from './layout';
import { manifestRefs } from './manifest-refs';
import { MAX_MANIFEST_BYTES, readTransferManifest } from './reader';
import { tailFiles } from './tail';
import { unsafeEntryReason } from './unsafe-entry';
import { BlobVerifier, digestOf, mismatchOf, type BlobIdentity } from '../hashing/verified-stream';
import { listVolumeFiles, openVolume, readVolume } from './volumes';

/**
 * `ferry verify --dir`: reads every volume once, front to back, hashing the file and parsing it as tar at
 * the same time; each entry must be one the manifest places there (right name, offset, size and digest),
 * and nothing unsafe may be in it. Then every image must be complete. Problems are collected, not thrown:
 * the report lists all of them. Only an unreadable transfer.json throws (INVALID_INPUT, CLI exit 2).
 */
export interface VerifyOptions {
  onProgress?: ProgressListener;
  /** The trust policy (--trust, --allow-untrusted…). Without one, an unsigned transfer is only warned about, and a signature by a key nobody trusts fails. */
  signature?: TrustPolicy;
}

type Expected =
  | { kind: 'blob'; blob: TransferBlob; offset: number; size: number }
  | { kind: 'part'; blob: TransferBlob; part: number; offset: number; size: number; sha256: string }
  | { kind: 'tail'; data: Buffer };

interface SplitState {
  /** The whole blob, fed its parts as they come in order. */
  whole: BlobVerifier;
  next: number;
  intact: boolean;
}

interface TarEntry extends AsyncIterable<Buffer> {
  header: tar.Header;
  offset: number;
}

const PROGRESS_STEP = 8 * 1024 * 1024;

export async function verifyTransfer(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = Date.now();
  // First: when transfer.json is not the one that was signed, every other check would be against a forged list.
  const signature = await checkTransferTrust(dir, options.signature ?? { allowUnsigned: true });
  if (!signature.ok) return signatureFailure(dir, signature, started);
  const manifest = await readTransferManifest(dir);
  const problems: VerifyProblem[] = [];
  const expected = expectedEntries(manifest);
  const blobOk = new Map<string, boolean>();
  const manifestData = new Map<string, Buffer>();
  const splits = new Map<string, SplitState>();
  const durations: Record<string, number> = {};
  const totalBytes = manifest.volumes.reduce((n, v) => n + v.size, 0);
  let read = 0;
  let entries = 0;
  let lastProgress = 0;
  const progress = (volume: string, itemsDone: number): void => {
    lastProgress = read;
    options.onProgress?.({ phase: 'verify', bytesDone: read, bytesTotal: totalBytes, itemsDone, itemsTotal: manifest.volumes.length, volume });
  };

  for (const [i, volume] of manifest.volumes.entries()) {
    const t0 = Date.now();
    const want = expected.get(volume.name) ?? new Map<string, Expected>();
    const seen = new Set<string>();
    const opened = await openChecked(dir, volume.name);
    if ('problem' in opened) {
      problems.push(opened.problem);
    } else {
      const { fh, size } = opened;
      if (size !== volume.size) {
        problems.push({ code: 'VOLUME_SIZE', volume: volume.name, message: `volume ${volume.name} is ${size} bytes, expected ${volume.size} (${size < volume.size ? 'truncated' : 'extra data'})` });
      }
      // Never past the size transfer.json records: extra data is reported above, not read.
      const readable = Math.min(size, volume.size);
      const fileHash = createHash('sha256');
      const extract = tar.extract();
      const feed = (async () => {
        try {
          for await (const chunk of readable > 0 ? readVolume(fh, { end: readable - 1 }) : []) {
            fileHash.update(chunk);
            read += chunk.length;
            if (read - lastProgress >= PROGRESS_STEP) progress(volume.name, i);
            if (extract.destroyed) break;
            if (!extract.write(chunk)) await writable(extract);
          }
        } finally {
          if (!extract.destroyed) extract.end(Buffer.alloc(0));
        }
      })();
      try {
        for await (const entry of extract as unknown as AsyncIterable<TarEntry>) {
          entries++;
          await checkEntry(entry, volume.name, want, seen, problems, blobOk, manifestData, splits);
        }
      } catch (e) {
        problems.push({ code: 'TAR_MALFORMED', volume: volume.name, message: `volume ${volume.name} is not a readable tar after ${seen.size} entries: ${(e as Error).message}` });
        extract.destroy();
      }
      await feed.catch(() => undefined);
      await fh.close();
      const sha = fileHash.digest('hex');
      if (sha !== volume.sha256 && size === volume.size) {
        problems.push({ code: 'VOLUME_HASH', volume: volume.name, message: `volume ${volume.name} has the wrong sha256 (${sha}, expected ${volume.sha256}): its content changed` });
      }
    }
    for (const [name, exp] of want) {
      if (seen.has(name)) continue;
      if (exp.kind === 'tail') {
        problems.push({ code: 'ENTRY_MISSING', volume: volume.name, message: `volume ${volume.name} lacks ${name}` });
      } else {
        blobOk.set(exp.blob.digest, false);
        if (exp.kind === 'part') splitOf(splits, exp.blob).intact = false;
        problems.push({ code: 'ENTRY_MISSING', volume: volume.name, blob: exp.blob.digest, message: `blob ${exp.blob.digest} (${name}) cannot be read from volume ${volume.name}` });
      }
    }
    durations[volume.name] = Date.now() - t0;
    progress(volume.name, i + 1);
  }

  // A blob placed in a volume the volume list does not name was never read above: it cannot be vouched for.
  for (const [name, want] of expected) {
    if (manifest.volumes.some((v) => v.name === name)) continue;
    for (const exp of want.values()) {
      if (exp.kind === 'tail') continue;
      blobOk.set(exp.blob.digest, false);
      problems.push({ code: 'ENTRY_MISSING', volume: name, blob: exp.blob.digest, message: `blob ${exp.blob.digest} is placed in volume ${name}, which transfer.json does not list among its volumes` });
    }
  }

  for (const [digest, s] of splits) {
    const parts = manifest.blobs.find((b) => b.digest === digest);
    if (!parts || !isPartsLocation(parts.location)) continue;
    const joined = parts.location.parts.reduce((n, p) => n + p.size, 0);
    if (joined !== parts.size) {
      blobOk.set(digest, false);
      problems.push({ code: 'ENTRY_MISPLACED', blob: digest, message: `split blob ${digest}: its parts add up to ${joined} bytes, transfer.json says the blob has ${parts.size}` });
      continue;
    }
    if (!s.intact || s.next !== parts.location.parts.length) {
      // Usually a damaged or missing part, reported above; parts out of the listed order (or listed twice)
      // are reported nowhere else, and the reader, which joins them in list order, could not rebuild the blob.
      if (blobOk.get(digest) !== false) {
        blobOk.set(digest, false);
        problems.push({ code: 'ENTRY_MISPLACED', blob: digest, message: `split blob ${digest}: its parts are not stored in the order transfer.json lists them` });
      }
      continue;
    }
    const failure = await mismatchOf(s.whole.end());
    if (failure) {
      blobOk.set(digest, false);
      problems.push({ code: 'BLOB_DIGEST', blob: digest, message: `split blob ${digest}: its joined parts hash to ${failure.details?.actual}` });
    } else blobOk.set(digest, true);
  }
  for (const s of splits.values()) s.whole.dispose();

  await checkUnlistedVolumes(dir, manifest, problems);
  const users = checkImages(manifest, manifestData, blobOk, problems);
  // Every problem names the images it puts at risk: a blob's users, or for a whole damaged volume the users of every blob in it.
  const inVolume = volumeUsers(manifest, users);
  for (const p of problems) {
    if (p.image) continue;
    if (p.blob) p.images = users.get(p.blob) ?? [];
    else if (p.volume) p.images = inVolume.get(p.volume) ?? [];
  }

  const parentBlobs = manifest.blobs.filter((b) => isParentLocation(b.location)).length;
  return {
    ok: problems.length === 0,
    dir,
    transferId: manifest.id,
    signature,
    problems,
    counts: {
      volumes: manifest.volumes.length,
      images: manifest.images.length,
      blobs: manifest.blobs.length,
      blobsVerified: [...blobOk.values()].filter(Boolean).length,
      parentBlobs,
      entries,
    },
    bytes: { volumes: totalBytes, blobs: manifest.blobs.reduce((n, b) => n + b.size, 0), read },
    durationsMs: { total: Date.now() - started, volumes: durations },
    // Not a problem of the media: images the writing run could not fetch, which are not on it.
    ...(manifest.failed?.length ? { failed: manifest.failed } : {}),
  };
}

/** The volume opened for reading, or the problem that keeps it from being read (missing, a link, a device…). */
async function openChecked(dir: string, name: string): Promise<{ fh: FileHandle; size: number } | { problem: VerifyProblem }> {
  try {
    const fh = await openVolume(join(dir, name));
    return { fh, size: (await fh.stat()).size };
  } catch (e) {
    if (e instanceof FerryError) return { problem: { code: 'VOLUME_NOT_FILE', volume: name, message: `${e.message} It was not read.` } };
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: { code: 'VOLUME_MISSING', volume: name, message: code === 'ENOENT' ? `volume ${name} is missing from ${dir}` : `volume ${name} in ${dir} cannot be read (${code ?? (e as Error).message})` } };
  }
}

/** A report that stops at the signature: nothing of an untrusted transfer.json is read, so everything else is zero. */
function signatureFailure(dir: string, signature: SignatureCheck, started: number): VerifyReport {
  return {
    ok: false,
    dir,
    transferId: '',
    signature,
    problems: [{ code: signature.status === 'unsigned' ? 'SIGNATURE_MISSING' : signature.status === 'untrusted' ? 'SIGNATURE_UNTRUSTED' : 'SIGNATURE_INVALID', message: `${signature.message} No other check was run.` }],
    counts: { volumes: 0, images: 0, blobs: 0, blobsVerified: 0, parentBlobs: 0, entries: 0 },
    bytes: { volumes: 0, blobs: 0, read: 0 },
    durationsMs: { total: Date.now() - started, volumes: {} },
  };
}

/** Every entry the manifest places in each volume; the last volume also holds the OCI layout tail. */
function expectedEntries(manifest: TransferManifest): Map<string, Map<string, Expected>> {
  const out = new Map<string, Map<string, Expected>>(manifest.volumes.map((v) => [v.name, new Map()]));
  const at = (volume: string): Map<string, Expected> => {
    let m = out.get(volume);
    if (!m) out.set(volume, (m = new Map()));
    return m;
  };
  for (const blob of manifest.blobs) {
    const loc = blob.location;
    if (isParentLocation(loc)) continue;
    if (isPartsLocation(loc)) {
      loc.parts.forEach((p, i) => at(p.volume).set(p.path, { kind: 'part', blob, part: i, offset: p.offset, size: p.size, sha256: p.sha256 }));
    } else {
      at(loc.volume).set(loc.path, { kind: 'blob', blob, offset: loc.offset, size: blob.size });
    }
  }
  const last = manifest.volumes.at(-1);
  if (last) {
    const sizes = new Map(manifest.blobs.map((b) => [b.digest, b]));
    const indexed = manifest.images.flatMap((img) => {
      const top = sizes.get(img.digest);
      return top && !isParentLocation(top.location) ? [{ source: img.source, digest: img.digest, mediaType: img.mediaType, size: top.size }] : [];
    });
    for (const f of tailFiles(indexed)) at(last.name).set(f.name, { kind: 'tail', data: f.data });
  }
  return out;
}

/** Resolves when the tar parser wants more input or has stopped (a malformed volume destroys it). */
function writable(extract: tar.Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.on('drain', done);
    extract.on('close', done);
  });
}

function splitOf(splits: Map<string, SplitState>, blob: TransferBlob): SplitState {
  let s = splits.get(blob.digest);
  if (!s) splits.set(blob.digest, (s = { whole: new BlobVerifier(blob), next: 0, intact: true }));
  return s;
}

async function drain(entry: TarEntry): Promise<void> {
  // tar-stream reads a directory's header as bodiless (what follows is the next header) but hands out a
  // stream that never ends when that header claims a size: waiting on it would hang verify forever.
  if (entry.header.type === 'directory') return;
  for await (const _ of entry) {
    // discard
  }
}

async function checkEntry(
  entry: TarEntry,
  volume: string,
  want: Map<string, Expected>,
  seen: Set<string>,
  problems: VerifyProblem[],
  blobOk: Map<string, boolean>,
  manifestData: Map<string, Buffer>,
  splits: Map<string, SplitState>,
): Promise<void> {
  const { header } = entry;
  const name = header.name;
  const unsafe = unsafeEntryReason(header);
  if (unsafe) {
    problems.push({ code: 'ENTRY_UNSAFE', volume, message: `volume ${volume} holds an unsafe entry "${name}": ${unsafe}` });
    return drain(entry);
  }
  const exp = want.get(name);
  if (!exp || header.type === 'directory') {
    problems.push({ code: 'ENTRY_UNLISTED', volume, message: `volume ${volume} holds "${name}", which transfer.json does not list there` });
    return drain(entry);
  }
  if (seen.has(name)) {
    problems.push({ code: 'ENTRY_DUPLICATE', volume, ...(exp.kind === 'tail' ? {} : { blob: exp.blob.digest }), message: `volume ${volume} holds "${name}" more than once` });
    return drain(entry);
  }
  seen.add(name);
  // Entries are verified on the hashing thread while this one hashes the whole volume: the two passes overlap.
  const verifier = new BlobVerifier(entryIdentity(exp), { offThread: true });
  const keep: Buffer[] | undefined = exp.kind === 'blob' && exp.blob.kind === 'manifest' && exp.size <= MAX_MANIFEST_BYTES ? [] : undefined;
  const split = exp.kind === 'part' ? splitOf(splits, exp.blob) : undefined;
  const inOrder = split !== undefined && exp.kind === 'part' && split.next === exp.part;
  let size = 0;
  let failure: FerryError | undefined;
  try {
    for await (const chunk of entry) {
      // A failed split stays failed: its whole is not checked again below.
      if (inOrder && split.intact && (await mismatchOf(split.whole.update(chunk)))) split.intact = false;
      keep?.push(chunk);
      size += chunk.length;
      // Past a failure the rest of the entry is only read: tar-stream needs it consumed.
      failure ??= await mismatchOf(verifier.update(chunk));
    }
    failure ??= await mismatchOf(verifier.end());
  } finally {
    verifier.dispose();
  }
  if (exp.kind === 'tail') {
    if (failure) problems.push({ code: 'LAYOUT_MISMATCH', volume, message: `${name} in volume ${volume} does not match the images transfer.json lists` });
    return;
  }
  const digest = exp.blob.digest;
  if (entry.offset + TAR_BLOCK !== exp.offset || size !== exp.size) {
    problems.push({ code: 'ENTRY_MISPLACED', volume, blob: digest, message: `blob ${digest} (${name}) is at offset ${entry.offset + TAR_BLOCK} with ${size} bytes in volume ${volume}; transfer.json says offset ${exp.offset} with ${exp.size} bytes` });
  }
  const wrong = failure && (failure.code === 'DIGEST_MISMATCH' ? String(failure.details?.actual) : `${size} bytes, not ${exp.size}`);
  if (exp.kind === 'part') {
    if (!inOrder) split!.intact = false;
    else split!.next++;
    if (wrong) {
      split!.intact = false;
      blobOk.set(digest, false);
      problems.push({ code: 'BLOB_DIGEST', volume, blob: digest, message: `part ${exp.part + 1} of blob ${digest} in volume ${volume} has the wrong content (${wrong})` });
    }
    return;
  }
  blobOk.set(digest, !wrong && blobOk.get(digest) !== false);
  if (wrong) {
    problems.push({ code: 'BLOB_DIGEST', volume, blob: digest, message: `blob ${digest} in volume ${volume} has the wrong content (${wrong})` });
  } else if (keep) {
    manifestData.set(digest, Buffer.concat(keep));
  }
}

/** What an entry must hold: a blob, one part of a split blob, or a file of the OCI layout tail. */
function entryIdentity(exp: Expected): BlobIdentity {
  if (exp.kind === 'tail') return { digest: digestOf(exp.data), size: exp.data.length };
  if (exp.kind === 'part') return { digest: `sha256:${exp.sha256}`, size: exp.size, part: { blob: exp.blob.digest, number: exp.part + 1 } };
  return { digest: exp.blob.digest, size: exp.size };
}

async function checkUnlistedVolumes(dir: string, manifest: TransferManifest, problems: VerifyProblem[]): Promise<void> {
  const listed = new Set(manifest.volumes.map((v) => v.name));
  for (const name of (await listVolumeFiles(dir)).values()) {
    if (!listed.has(name)) problems.push({ code: 'VOLUME_UNLISTED', volume: name, message: `${name} is in ${dir} but transfer.json does not list it` });
  }
}

/** volume name → images using any blob (or part of one) stored in it, in the order images are listed. */
function volumeUsers(manifest: TransferManifest, users: Map<string, string[]>): Map<string, string[]> {
  const found = new Map<string, Set<string>>();
  for (const b of manifest.blobs) {
    if (isParentLocation(b.location)) continue;
    const volumes = isPartsLocation(b.location) ? b.location.parts.map((p) => p.volume) : [b.location.volume];
    for (const v of volumes) {
      const set = found.get(v) ?? new Set<string>();
      for (const image of users.get(b.digest) ?? []) set.add(image);
      found.set(v, set);
    }
  }
  const order = manifest.images.map((i) => i.source);
  return new Map([...found].map(([v, set]) => [v, order.filter((i) => set.has(i))]));
}

/** Every manifest's references must be in the transfer (or its parent). Returns blob digest → images using it. */
function checkImages(manifest: TransferManifest, manifestData: Map<string, Buffer>, blobOk: Map<string, boolean>, problems: VerifyProblem[]): Map<string, string[]> {
  const blobs = new Map(manifest.blobs.map((b) => [b.digest, b]));
  const users = new Map<string, string[]>();
  const use = (digest: string, image: string): void => {
    const list = users.get(digest) ?? [];
    if (!list.includes(image)) list.push(image);
    users.set(digest, list);
  };
  for (const img of manifest.images) {
    const missing = (digest: string, what: string): void => {
      problems.push({ code: 'IMAGE_INCOMPLETE', image: img.source, blob: digest, message: `image ${img.source} is incomplete: its ${what} ${digest} is not in the transfer` });
    };
    if (!img.manifests.includes(img.digest)) {
      problems.push({ code: 'IMAGE_INCOMPLETE', image: img.source, blob: img.digest, message: `image ${img.source}: transfer.json does not list its own manifest ${img.digest} among its manifests` });
    }
    for (const m of img.manifests) {
      use(m, img.source);
      const blob = blobs.get(m);
      if (!blob) {
        missing(m, 'manifest');
        continue;
      }
      if (isParentLocation(blob.location)) continue;
      const data = manifestData.get(m);
      if (!data || blobOk.get(m) !== true) continue; // already reported as unreadable or damaged
      let refs;
      try {
        refs = manifestRefs(data);
      } catch {
        problems.push({ code: 'IMAGE_INCOMPLETE', image: img.source, blob: m, message: `image ${img.source}: manifest ${m} is not valid JSON` });
        continue;
      }
      for (const child of refs.children) {
        use(child, img.source);
        if (!blobs.has(child) || !img.manifests.includes(child)) missing(child, 'child manifest');
      }
      for (const d of refs.blobs) {
        use(d, img.source);
        if (!blobs.has(d)) missing(d, 'config or layer');
      }
    }
  }
  return users;
}
