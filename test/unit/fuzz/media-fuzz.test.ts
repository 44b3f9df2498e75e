import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { verifyTransfer } from '../../../electron/engine/media/verify';
import { TransferReader } from '../../../electron/engine/media/reader';
import { FerryError } from '../../../shared/errors';
import { isParentLocation, type TransferManifest } from '../../../shared/transfer/manifest';
import { ferry } from '../../support/cli';
import { tempDir, type TempDir } from '../../support/tmp';
import { fixtureContent, writeFixture } from '../media/fixtures';

/**
 * Issue 15 item 7: a fuzz suite over the media a hostile or damaged disk can present. One small real
 * transfer (three images, a split blob, several volumes) is mutated thousands of ways — schema-aware edits
 * of transfer.json, byte flips, crafted tar headers (unsafe names, links, devices, wrong sizes, garbage),
 * crafted extra entries, truncation at every entry boundary — and each case goes through the engine's
 * verify and its blob reader in process. Each must end in a report with problems or a FerryError with a
 * message (CLI exit 1/2), never a hang (per-case timeout), another exception, or a write anywhere.
 * A few cases also run through the real `ferry verify`.
 *
 * Reproduce a failure with its seed: FERRY_FUZZ_SEED=<seed> node --import tsx --test test/unit/fuzz/media-fuzz.test.ts
 * (FERRY_FUZZ_SCALE=2 runs twice the cases).
 */

const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 0x15f022);
const SCALE = Number(process.env.FERRY_FUZZ_SCALE ?? 1);
const CASE_TIMEOUT_MS = 20_000;
/** FERRY_FUZZ_TRACE=1 names each case on stderr before it runs. */
const TRACE = process.env.FERRY_FUZZ_TRACE === '1';
const ESCAPE_NAME = `ferry-fuzz-escape-${SEED}`;
const BLOCK = 512;

/** mulberry32: small, fast and the same everywhere, so a seed names the same cases on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    pick<T>(xs: readonly T[]): T {
      return xs[Math.floor(next() * xs.length)]!;
    },
  };
}
type Rng = ReturnType<typeof prng>;

// ---- tar headers, read and crafted by hand (ustar: name 0..100, size 124..136, chksum 148..156, type 156, linkname 157..257)

interface TarEntryAt {
  header: number;
  data: number;
  size: number;
  end: number;
  name: string;
}

function octal(buf: Buffer, off: number, len: number): number {
  return parseInt(buf.toString('latin1', off, off + len).replace(/\0.*$/, '').trim() || '0', 8);
}

/** Entries of a tar Ferry wrote (no tricks): where each header, its data and its padding are. */
function entriesOf(vol: Buffer): TarEntryAt[] {
  const out: TarEntryAt[] = [];
  for (let off = 0; off + BLOCK <= vol.length; ) {
    const block = vol.subarray(off, off + BLOCK);
    if (block.every((b) => b === 0)) break;
    const size = octal(vol, off + 124, 12);
    const end = off + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    out.push({ header: off, data: off + BLOCK, size, end, name: block.toString('latin1', 0, 100).replace(/\0.*$/, '') });
    off = end;
  }
  return out;
}

function writeField(buf: Buffer, off: number, len: number, value: string): void {
  buf.fill(0, off, off + len);
  buf.write(value.slice(0, len), off, 'latin1');
}

/** Recomputes a header's checksum so the parser accepts the crafted header and the checks behind it are reached. */
function seal(buf: Buffer, header: number): void {
  buf.fill(0x20, header + 148, header + 156);
  let sum = 0;
  for (let i = header; i < header + BLOCK; i++) sum += buf[i]!;
  writeField(buf, header + 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
}

/** Entries packed by tar-stream, without the end-of-archive blocks: bytes to splice into a volume. */
type LooseHeader = Partial<tar.Header> & { name: string };

/** A ustar entry built byte by byte (tar-stream will not write a body for a PAX header it did not make). */
function rawEntry(name: string, typeflag: string, data: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK + Math.ceil(data.length / BLOCK) * BLOCK);
  writeField(out, 0, 100, name);
  writeField(out, 100, 8, '0000644');
  writeField(out, 108, 8, '0000000');
  writeField(out, 116, 8, '0000000');
  writeField(out, 124, 12, data.length.toString(8).padStart(11, '0'));
  writeField(out, 136, 12, '00000000000');
  writeField(out, 156, 1, typeflag);
  writeField(out, 257, 6, 'ustar');
  writeField(out, 263, 2, '00');
  seal(out, 0);
  data.copy(out, BLOCK);
  return out;
}

async function packEntries(entries: Array<{ header: LooseHeader; data: Buffer }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry(e.header as tar.Header, e.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 2 * BLOCK);
}

// ---- cases

type Outcome = { kind: 'report'; failed: boolean; problems: string[] } | { kind: 'error'; error: FerryError };

interface Case {
  id: string;
  /** The transfer.json text to use (undefined: the pristine one, hard-linked). */
  manifestText?: string;
  /** Volumes replaced by these bytes (others hard-linked). */
  volumes?: Map<string, Buffer>;
  /** Volume files deleted. */
  removed?: string[];
  /** The case changes what the transfer holds: verify must report a failure (not just end cleanly). */
  mustFail: boolean;
  /** Also read every blob through the reader (what push does). */
  read?: boolean;
}

interface Pristine {
  dir: string;
  manifest: TransferManifest;
  text: string;
  volumes: Map<string, Buffer>;
  files: string[];
}

function isSignatureProblem(code: string): boolean {
  return code.startsWith('SIGNATURE');
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`HANG: ${what} did not end within ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
    }),
  ]);
}

function clean(e: unknown, what: string): FerryError {
  if (e instanceof FerryError && e.message.length > 0 && (e.exitCode === 1 || e.exitCode === 2)) {
    assert.doesNotMatch(e.message, /Unexpected error|bug in Ferry/, what);
    return e;
  }
  throw new Error(`${what}: not a clean FerryError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
}

async function readAll(dir: string): Promise<void> {
  const reader = await TransferReader.open(dir);
  for (const blob of reader.manifest.blobs) {
    if (isParentLocation(blob.location)) continue;
    if (blob.kind === 'manifest') {
      await reader.manifestBytes(blob.digest);
      continue;
    }
    for await (const _ of reader.openBlob(blob.digest)) {
      // the reader verifies while it streams
    }
  }
}

describe(`media fuzz (seed ${SEED})`, () => {
  let tmp: TempDir;
  let pristine: Pristine;
  let casesRoot: string;
  let count = 0;
  const tally = { failed: 0, errors: 0, ok: 0, read: 0 };

  before(async () => {
    tmp = tempDir('fuzz');
    const dir = join(tmp.path, 'pristine');
    // Small on purpose: thousands of cases have to fit in about a minute on two busy cores.
    const manifest = await writeFixture(dir, fixtureContent({ shared: 3_000, big: 150_000, medium: 20_000, small: 9_000 }, 'fuzz'), { volumeSize: 64 * 1024 });
    const text = await readFile(join(dir, 'transfer.json'), 'utf8');
    const volumes = new Map<string, Buffer>();
    for (const v of manifest.volumes) volumes.set(v.name, await readFile(join(dir, v.name)));
    pristine = { dir, manifest, text, volumes, files: (await readdir(dir)).sort() };
    casesRoot = join(tmp.path, 'cases');
    await mkdir(casesRoot);
  });

  after(async () => {
    process.stdout.write(`media fuzz: ${count} cases (seed ${SEED}): ${tally.failed} reported problems, ${tally.errors} ended in a FerryError, ${tally.ok} verified clean; ${tally.read} also read blob by blob\n`);
    await tmp?.cleanup();
    if (TRACE) setTimeout(() => process.stderr.write(`still alive: ${process.getActiveResourcesInfo().join(', ')}\n`), 2000).unref();
  });

  async function materialize(c: Case, dir: string): Promise<string[]> {
    await mkdir(dir);
    const files: string[] = [];
    await writeFile(join(dir, 'transfer.json'), c.manifestText ?? pristine.text);
    files.push('transfer.json');
    for (const name of pristine.files) {
      if (name === 'transfer.json' || c.removed?.includes(name)) continue;
      const replaced = c.volumes?.get(name);
      if (replaced) await writeFile(join(dir, name), replaced);
      else await link(join(pristine.dir, name), join(dir, name));
      files.push(name);
    }
    return files.sort();
  }

  async function run(c: Case): Promise<Outcome> {
    count++;
    const dir = join(casesRoot, String(count));
    const what = `case ${c.id} (seed ${SEED})`;
    if (TRACE) process.stderr.write(`${what}\n`);
    const files = await materialize(c, dir);
    try {
      return await check(c, dir, what, files);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function check(c: Case, dir: string, what: string, files: string[]): Promise<Outcome> {
    let outcome: Outcome;
    try {
      const report = await withTimeout(verifyTransfer(dir), `verify of ${what}`);
      const problems = report.problems.filter((p) => !isSignatureProblem(p.code));
      for (const p of problems) assert.ok(p.message.length > 0, `${what}: a problem without a message`);
      outcome = { kind: 'report', failed: problems.length > 0, problems: problems.map((p) => p.code) };
      if (outcome.failed) tally.failed++;
      else tally.ok++;
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('HANG')) throw e;
      outcome = { kind: 'error', error: clean(e, `verify of ${what}`) };
      tally.errors++;
    }
    if (c.mustFail) assert.ok(outcome.kind === 'error' || outcome.failed, `${what}: the damage went unnoticed by verify`);
    if (c.read) {
      tally.read++;
      const verifiedClean = outcome.kind === 'report' && !outcome.failed;
      try {
        await withTimeout(readAll(dir), `read of ${what}`);
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('HANG')) throw e;
        clean(e, `read of ${what}`);
        assert.ok(!verifiedClean, `${what}: verify passed but reading a blob failed: ${(e as Error).message}`);
      }
    }
    // Verify and read never write: the case directory holds exactly what the case put there, nothing escaped.
    assert.deepEqual((await readdir(dir)).sort(), files, `${what}: the directory changed`);
    return outcome;
  }

  function volumeNames(): string[] {
    return [...pristine.volumes.keys()];
  }

  function resealed(vols: Map<string, Buffer>, removed: string[] = []): string {
    const doc = JSON.parse(pristine.text) as TransferManifest;
    for (const v of doc.volumes) {
      const b = vols.get(v.name);
      if (!b) continue;
      v.size = b.length;
      v.sha256 = createHash('sha256').update(b).digest('hex');
    }
    doc.volumes = doc.volumes.filter((v) => !removed.includes(v.name));
    return `${JSON.stringify(doc, null, 2)}\n`;
  }

  it('the pristine transfer verifies and reads clean (the baseline every case departs from)', async () => {
    const outcome = await run({ id: 'pristine', mustFail: false, read: true });
    assert.equal(outcome.kind, 'report');
    assert.deepEqual(outcome.kind === 'report' ? outcome.problems : [], []);
    assert.ok(pristine.manifest.volumes.length >= 3, 'several volumes');
    assert.ok(pristine.manifest.blobs.some((b) => 'parts' in b.location), 'a split blob');
  });

  it('schema-aware mutations of transfer.json', async () => {
    const rng = prng(SEED ^ 0x1);
    const original = JSON.parse(pristine.text) as unknown;
    const paths: Array<Array<string | number>> = [];
    const walk = (v: unknown, p: Array<string | number>): void => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(original, []);
    const strings = paths.map((p) => get(original, p)).filter((v): v is string => typeof v === 'string');
    const numbers = paths.map((p) => get(original, p)).filter((v): v is number => typeof v === 'number');
    // Fields whose change alters what the transfer holds or where: verify must notice.
    const load = /^(digest|size|offset|volume|path|sha256|manifests|location|parts)$/;

    const weird = (): unknown =>
      rng.pick<() => unknown>([
        () => null,
        () => true,
        () => 0,
        () => -1,
        () => 1.5,
        () => 1e300,
        () => Number.MAX_SAFE_INTEGER,
        () => 2 ** 53 + 2,
        () => '',
        () => '../../../../tmp/' + ESCAPE_NAME,
        () => '/etc/' + ESCAPE_NAME,
        () => 'ferry-999999.tar',
        () => 'x'.repeat(100_000),
        () => '\u0000\u202e\ud800',
        () => `sha256:${'0'.repeat(64)}`,
        () => [],
        () => ({}),
        () => rng.pick(strings),
        () => rng.pick(numbers),
      ])();

    const total = Math.round(1250 * SCALE);
    for (let i = 0; i < total; i++) {
      const doc = structuredClone(original) as Record<string, unknown>;
      const path = rng.pick(paths.slice(1));
      const parentPath = path.slice(0, -1);
      const key = path.at(-1)!;
      const parent = get(doc, parentPath) as Record<string | number, unknown> | unknown[];
      const before = JSON.stringify(get(doc, path));
      const op = rng.int(7);
      let label: string;
      if (op === 0) {
        label = 'delete';
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete (parent as Record<string, unknown>)[key as string];
      } else if (op === 1 || op === 2) {
        label = 'replace';
        (parent as Record<string | number, unknown>)[key] = weird();
      } else if (op === 3) {
        label = 'nudge';
        const v = get(doc, path);
        (parent as Record<string | number, unknown>)[key] = typeof v === 'number' ? rng.pick([v + 1, v - 1, v * 2, 0, v + BLOCK]) : typeof v === 'string' ? nudgeString(v, rng) : weird();
      } else if (op === 4) {
        label = 'duplicate';
        if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
        else (parent as Record<string, unknown>)[`${String(key)}_`] = get(doc, path);
      } else if (op === 5) {
        label = 'swap';
        const other = rng.pick(paths.filter((p) => p.at(-1) === key && p.length === path.length && JSON.stringify(p) !== JSON.stringify(path)));
        if (other) {
          const a = get(doc, path);
          set(doc, path, structuredClone(get(doc, other)));
          set(doc, other, structuredClone(a));
        }
      } else {
        label = 'unknown-key';
        const target = get(doc, rng.pick(paths.filter((p) => isPlainObject(get(original, p)))));
        if (isPlainObject(target)) (target as Record<string, unknown>)[rng.pick(['extra', '__proto__', 'constructor', 'location'])] = weird();
      }
      const changed = JSON.stringify(get(doc, path)) !== before;
      // Swapping two images' fields or adding keys may describe another valid transfer; only changes to what is
      // stored and where must be caught.
      const mustFail = changed && (label === 'delete' || label === 'replace' || label === 'nudge' || (label === 'swap' && (path[0] === 'blobs' || path[0] === 'volumes'))) && path.some((p) => typeof p === 'string' && load.test(p));
      await run({ id: `json-${i}-${label}-${path.join('.')}`, manifestText: JSON.stringify(doc, null, rng.int(3)), mustFail, read: i % 10 === 0 });
    }
  });

  it('text-level damage of transfer.json: truncation, stray bytes, deep nesting, a huge file', async () => {
    const rng = prng(SEED ^ 0x2);
    const text = pristine.text;
    const cuts = Math.round(200 * SCALE);
    for (let i = 0; i < cuts; i++) {
      const at = Math.floor((i / cuts) * text.length);
      await run({ id: `json-cut-${at}`, manifestText: text.slice(0, at), mustFail: true });
    }
    for (let i = 0; i < Math.round(200 * SCALE); i++) {
      const at = rng.int(text.length);
      const stray = rng.pick(['\0', '{', '}', '"', ',', ']', '\\', '\u00ff', 'e9', '-', '\n']);
      const mutated = rng.next() < 0.5 ? text.slice(0, at) + stray + text.slice(at) : text.slice(0, at) + stray + text.slice(at + 1);
      await run({ id: `json-stray-${at}`, manifestText: mutated, mustFail: false });
    }
    for (const depth of [1_000, 10_000, 100_000, 1_000_000]) {
      await run({ id: `json-deep-array-${depth}`, manifestText: '['.repeat(depth) + ']'.repeat(depth), mustFail: true });
      await run({ id: `json-deep-object-${depth}`, manifestText: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth), mustFail: true });
      await run({ id: `json-deep-open-${depth}`, manifestText: '['.repeat(depth), mustFail: true });
    }
    await run({ id: 'json-huge', manifestText: `{"pad":"${'x'.repeat(6 * 1024 * 1024)}"}`, mustFail: true });
    await run({ id: 'json-empty', manifestText: '', mustFail: true });
    await run({ id: 'json-bom-only', manifestText: '\ufeff', mustFail: true });
  });

  it('byte flips and crafted headers in the volumes, raw and resealed into transfer.json', async () => {
    const rng = prng(SEED ^ 0x3);
    const total = Math.round(1200 * SCALE);
    for (let i = 0; i < total; i++) {
      const name = rng.pick(volumeNames());
      const vol = Buffer.from(pristine.volumes.get(name)!);
      const entries = entriesOf(vol);
      const e = rng.pick(entries);
      const op = rng.int(8);
      let label: string;
      let mustFail = true;
      if (op === 0) {
        label = 'flip';
        const at = rng.int(vol.length);
        vol[at] = vol[at]! ^ (1 << rng.int(8));
        // A flip in tar padding or the end blocks changes no entry: only the volume hash (raw) can notice it.
        const inData = entries.some((x) => at >= x.header && at < x.data + x.size);
        mustFail = inData;
      } else if (op === 1) {
        label = 'header-flip';
        const at = e.header + rng.int(BLOCK);
        vol[at] = vol[at]! ^ (1 << rng.int(8));
        if (rng.next() < 0.5) seal(vol, e.header);
        // Bytes after the name's NUL, or the unused tail of the header, may carry nothing.
        mustFail = false;
      } else if (op === 2) {
        const newName = rng.pick([`../${ESCAPE_NAME}`, `/tmp/${ESCAPE_NAME}`, `blobs/../../${ESCAPE_NAME}`, `C:\\${ESCAPE_NAME}`, 'smuggled', entries[0]!.name, '']);
        label = `name-${JSON.stringify(newName)}`;
        writeField(vol, e.header, 100, newName);
        seal(vol, e.header);
        // Resealing rewrites the checksum field even when the name stays: bytes differ, the entry does not.
        mustFail = newName !== e.name;
      } else if (op === 3) {
        const type = rng.pick(['1', '2', '3', '4', '5', '6', '7', 'g', 'x', 'L', 'K', 'S', 'V', 'Z']);
        label = `type-${type}`;
        vol[e.header + 156] = type.charCodeAt(0);
        writeField(vol, e.header + 157, 100, rng.pick(['/etc/passwd', `../${ESCAPE_NAME}`, e.name]));
        seal(vol, e.header);
        // '7' is a contiguous file, which tar treats as a regular one: the entry is unchanged.
        mustFail = type !== '7';
      } else if (op === 4) {
        const size = Math.max(0, rng.pick([e.size + 1, e.size - 1, e.size + BLOCK, 0, 0o77777777777, e.size * 2 + 7]));
        label = `size-${size}`;
        writeField(vol, e.header + 124, 12, `${size.toString(8).padStart(11, '0')}`);
        mustFail = size !== e.size;
        if (rng.next() < 0.2) {
          label = 'size-garbage';
          writeField(vol, e.header + 124, 12, rng.pick(['zzzzzzzzzzz', '-1', '\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff']));
          mustFail = true;
        }
        seal(vol, e.header);
      } else if (op === 5) {
        label = 'garbage-header';
        for (let k = 0; k < BLOCK; k++) vol[e.header + k] = rng.int(256);
        if (rng.next() < 0.5) seal(vol, e.header);
      } else if (op === 6) {
        label = 'pax';
        // A crafted PAX header in front of the entry renaming it (path=) or resizing it (size=).
        const record = rng.pick([`path=../${ESCAPE_NAME}`, `size=${e.size + 1000}`, 'linkpath=/etc/passwd', `path=${'a/'.repeat(3000)}`, 'size=-5', 'garbage-record']);
        // A record that renames or resizes the entry must be caught; one tar ignores for a regular file (a
        // link target, a malformed record) changes nothing when the entry has no recorded offset (the layout files).
        const renames = record.startsWith('path=') || record.startsWith('size=');
        await runVolume(i, `${label}-${record.slice(0, 12)}`, name, Buffer.concat([vol.subarray(0, e.header), rawEntry('PaxHeader', 'x', paxRecord(record)), vol.subarray(e.header)]), renames);
        continue;
      } else {
        label = 'extra-entry';
        const crafted = await packEntries(
          [
            {
              header: rng.pick<LooseHeader>([
                { name: `../${ESCAPE_NAME}`, size: 0 },
                { name: ESCAPE_NAME, type: 'symlink', linkname: '/etc/passwd', size: 0 },
                { name: 'blobs/sha256/evil', type: 'link', linkname: '/etc/shadow', size: 0 },
                { name: 'dev', type: 'character-device', size: 0 },
                { name: 'blobs', type: 'directory', size: 0 },
                { name: 'smuggled.bin', size: 0 },
              ]),
              data: Buffer.alloc(0),
            },
          ],
        );
        const at = rng.pick(entries.map((x) => x.header).concat([entries.at(-1)!.end]));
        await runVolume(i, label, name, Buffer.concat([vol.subarray(0, at), crafted.subarray(0, crafted.length), vol.subarray(at)]), true);
        continue;
      }
      await runVolume(i, label, name, vol, mustFail);
    }

    /** Raw, the volume's recorded sha256 catches any change; resealed into transfer.json, the deeper checks must. */
    async function runVolume(i: number, label: string, name: string, bytes: Buffer, mustFailResealed: boolean): Promise<void> {
      const volumes = new Map([[name, bytes]]);
      const reseal = rng.next() < 0.5;
      const changed = !bytes.equals(pristine.volumes.get(name)!);
      await run({
        id: `tar-${i}-${label}-${name}${reseal ? '-resealed' : ''}`,
        volumes,
        manifestText: reseal ? resealed(volumes) : undefined,
        mustFail: changed && (reseal ? mustFailResealed : true),
        read: i % 4 === 0,
      });
    }
  });

  it('truncation at every entry boundary (and inside headers and data) of every volume', async () => {
    for (const name of volumeNames()) {
      const vol = pristine.volumes.get(name)!;
      const entries = entriesOf(vol);
      const lastEnd = entries.at(-1)!.end;
      const cuts = new Set<number>([0, 1, vol.length - 1]);
      for (const e of entries) for (const at of [e.header, e.header + 1, e.header + 100, e.data, e.data + Math.floor(e.size / 2), e.data + e.size, e.end - 1, e.end]) if (at >= 0 && at < vol.length) cuts.add(at);
      for (const at of [...cuts].sort((a, b) => a - b)) {
        const bytes = vol.subarray(0, at);
        await run({ id: `cut-${name}-${at}`, volumes: new Map([[name, bytes]]), mustFail: true, read: true });
        // Resealed: transfer.json agrees with the short file, so only the entries themselves can tell. Cutting only
        // the end-of-archive blocks loses no entry.
        const volumes = new Map([[name, bytes]]);
        await run({ id: `cut-${name}-${at}-resealed`, volumes, manifestText: resealed(volumes), mustFail: at < lastEnd, read: true });
      }
      await run({ id: `missing-${name}`, removed: [name], mustFail: true, read: true });
      await run({ id: `missing-${name}-resealed`, removed: [name], manifestText: resealed(new Map(), [name]), mustFail: true, read: true });
    }
  });

  it('a handful of damaged transfers through the real CLI: exit 1 or 2 with a message', { timeout: 180_000 }, async () => {
    const vol = volumeNames()[0]!;
    const bytes = Buffer.from(pristine.volumes.get(vol)!);
    const first = entriesOf(bytes)[0]!;
    writeField(bytes, first.header, 100, `../${ESCAPE_NAME}`);
    seal(bytes, first.header);
    const unsafe = new Map([[vol, bytes]]);
    // A header claiming 2 MiB in a 64 KiB volume: its hash goes to the hashing thread and is abandoned, which
    // once kept `ferry verify` alive after printing its report.
    const claim = Buffer.from(pristine.volumes.get(vol)!);
    writeField(claim, first.header + 124, 12, (2 * 1024 * 1024).toString(8).padStart(11, '0'));
    seal(claim, first.header);
    const claimed = new Map([[vol, claim]]);
    const cases: Array<{ id: string; c: Case; exit: number[] }> = [
      { id: 'deep', c: { id: 'cli-deep', manifestText: '['.repeat(200_000), mustFail: true }, exit: [1] },
      { id: 'cut-json', c: { id: 'cli-cut-json', manifestText: pristine.text.slice(0, 200), mustFail: true }, exit: [1] },
      { id: 'unsafe-entry', c: { id: 'cli-unsafe', volumes: unsafe, manifestText: resealed(unsafe), mustFail: true }, exit: [1] },
      { id: 'truncated', c: { id: 'cli-cut', volumes: new Map([[vol, pristine.volumes.get(vol)!.subarray(0, 700)]]), mustFail: true }, exit: [1] },
      { id: 'size-claim', c: { id: 'cli-claim', volumes: claimed, manifestText: resealed(claimed), mustFail: true }, exit: [1] },
      { id: 'bad-size', c: { id: 'cli-size', manifestText: pristine.text.replace(/"size": \d+/, '"size": -1'), mustFail: true }, exit: [1] },
    ];
    for (const { id, c, exit } of cases) {
      count++;
      const dir = join(casesRoot, `cli-${id}`);
      await materialize(c, dir);
      const started = Date.now();
      const r = await ferry(['verify', '--dir', dir]);
      if (TRACE) process.stderr.write(`cli ${id}: exit ${r.code} after ${Date.now() - started} ms\n`);
      assert.ok(exit.includes(r.code), `${id}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stdout + r.stderr, /\S/, `${id}: says what is wrong`);
      assert.doesNotMatch(r.stderr, /Unexpected error|bug in Ferry|\n\s+at /, `${id}: ${r.stderr}`);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('nothing was written outside the case directories, and the pristine transfer is untouched', async () => {
    for (const p of [join(dirname(tmp.path), ESCAPE_NAME), join('/tmp', ESCAPE_NAME), join('/etc', ESCAPE_NAME), join(tmp.path, ESCAPE_NAME)]) assert.equal(existsSync(p), false, `${p} exists`);
    assert.deepEqual((await readdir(tmp.path)).sort(), ['cases', 'pristine']);
    assert.deepEqual(await readdir(casesRoot), []);
    for (const [name, bytes] of pristine.volumes) assert.ok((await readFile(join(pristine.dir, name))).equals(bytes), `${name} changed`);
    assert.equal(await readFile(join(pristine.dir, 'transfer.json'), 'utf8'), pristine.text);
    if (SCALE >= 1) assert.ok(count >= 3000, `thousands of cases (ran ${count})`);
  });
});

/** One PAX extended-header record: "LEN key=value\n", LEN counting itself. */
function paxRecord(record: string): Buffer {
  let len = record.length + 2;
  while (String(len).length + record.length + 2 !== len) len = String(len).length + record.length + 2;
  return Buffer.from(`${len} ${record}\n`);
}

function get(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown> | undefined)?.[k];
  return v;
}

function set(root: unknown, path: ReadonlyArray<string | number>, value: unknown): void {
  const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nudgeString(s: string, rng: Rng): string {
  if (s.length === 0) return 'x';
  const at = rng.int(s.length);
  const c = s[at]!;
  const swapped = /[0-9a-f]/.test(c) ? (c === 'f' ? '0' : String.fromCharCode(c.charCodeAt(0) + 1)) : c === 'x' ? 'y' : 'x';
  return s.slice(0, at) + swapped + s.slice(at + 1);
}

