// Two figures of issue 4 (not timings): the incremental ratio — bytes `ferry mirror --since receipt.json`
// writes for 4.15.4 over the bytes of blobs new in 4.15.4 — and the resume overhead — bytes a killed
// `ferry push` sends again when re-run over the bytes that were in flight when it was killed.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { journalLines, killWhen } from '../test/support/kill';
import { pushRelease } from '../test/support/release';
import type { TestWorld } from '../test/support/world';
import type { TransferManifest } from '../shared/transfer/manifest';

const MiB = 1024 * 1024;
const LAYER_MIB = Number(process.env.BENCH_DELTA_LAYER_MIB ?? 4);
const release = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;

export interface TransferFigures {
  incremental: { writtenBytes: number; newBlobBytes: number; ratio: number };
  resume: { killedAfterBlobs: number; inFlightBlobs: number; inFlightBytes: number; resentBytes: number; overhead: number };
}

/** Runs the built CLI (`entry`) and returns its stdout; fails with its stderr. */
function ferry(entry: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ferry ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function manifestOf(dir: string): Promise<TransferManifest> {
  return JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
}

export async function transferFigures(world: TestWorld, work: string, entry: string, run: string): Promise<TransferFigures> {
  console.log(`pushing releases 4.15.3 and 4.15.4 with ${LAYER_MIB} MiB layers …`);
  const rel3 = await pushRelease(world, '4.15.3', { layerBytes: LAYER_MIB * MiB });
  const rel4 = await pushRelease(world, '4.15.4', { layerBytes: LAYER_MIB * MiB });
  const auth = ['--authfile', world.authfile, '--ca-file', world.ca.certPath];
  const flags = [...auth, '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
  const base = join(work, `figures-base-${run}`);
  const delta = join(work, `figures-delta-${run}`);
  const mirror = `${world.mirror.host}/figures-${run}`;

  await ferry(entry, ['mirror', '--release', release('4.15.3'), '--to-dir', base, ...flags]);
  await ferry(entry, ['push', '--from-dir', base, '--to', mirror, '--allow-unsigned', ...auth]);
  await ferry(entry, ['mirror', '--release', release('4.15.4'), '--to-dir', delta, '--since', join(base, 'receipt.json'), ...flags]);
  const writtenBytes = (await manifestOf(delta)).volumes.reduce((n, v) => n + v.size, 0);
  const newBlobBytes = [...rel4.blobs].filter(([d]) => !rel3.blobs.has(d)).reduce((n, [, s]) => n + s, 0);

  // Kill a push of the whole 4.15.3 transfer midway (by its journal), then run the same command again.
  const receiptDir = join(work, `figures-receipt-${run}`);
  const args = ['push', '--from-dir', base, '--to', `${world.mirror.host}/figures-resume-${run}`, '--receipt', join(receiptDir, 'receipt.json'), '--allow-unsigned', ...auth];
  const layers = (await manifestOf(base)).blobs.filter((b) => b.kind !== 'manifest').length;
  let killedAfterBlobs = 0;
  await killWhen(
    args,
    async () => {
      const name = (await readdir(receiptDir).catch(() => [] as string[])).find((n) => n.startsWith('.ferry-push-'));
      if (!name) return false;
      const lines = await journalLines<{ t: string; repo: string; digest: string }>(join(receiptDir, name));
      const done = new Set(lines.filter((l) => l.t === 'blob').map((l) => `${l.repo}@${l.digest}`));
      killedAfterBlobs = done.size;
      // Only while a blob is on the wire: the figure is about what was in flight.
      return done.size >= Math.floor(layers * 0.4) && lines.some((l) => l.t === 'start' && !done.has(`${l.repo}@${l.digest}`));
    },
    entry,
  );
  const resumed = JSON.parse(await ferry(entry, [...args, '--json'])) as { resume: { inFlightBlobs: number; inFlightBytes: number; resentBytes: number } };
  const r = resumed.resume;
  return {
    incremental: { writtenBytes, newBlobBytes, ratio: writtenBytes / newBlobBytes },
    resume: { killedAfterBlobs, ...r, overhead: r.inFlightBytes === 0 ? 0 : r.resentBytes / r.inFlightBytes },
  };
}

export function reportFigures(f: TransferFigures): string {
  const i = f.incremental;
  const r = f.resume;
  return [
    `incremental 4.15.3 -> 4.15.4 (--since receipt.json): wrote ${i.writtenBytes} bytes for ${i.newBlobBytes} bytes of new blobs, ratio ${i.ratio.toFixed(3)}`,
    `push resume after kill -9 (after ${r.killedAfterBlobs} confirmed blobs): ${r.inFlightBlobs} blob(s), ${r.inFlightBytes} bytes in flight; re-sent ${r.resentBytes} bytes, overhead ${r.overhead.toFixed(3)}`,
  ].join('\n');
}
