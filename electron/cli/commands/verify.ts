import type { Command } from 'commander';
import { withRates, type ProgressEvent } from '../../../shared/progress';
import { renderVerifyReport } from '../../../shared/transfer/verify-report';
import { verifyTransfer } from '../../engine/media/verify';
import { verifyOperatorReport } from '../../engine/reports/verify';
import { writeReport } from '../../engine/reports/write';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { TransferReader } from '../../engine/media/reader';
import { renderMirrorCheck, verifyAgainst, type MirrorCheck } from '../../engine/transfer/verify-against';

/**
 * `ferry verify --dir DIR [--trust PUBKEY] [--require-signature] [--report FILE.json]`: exit 0 when every check
 * passes, 1 with the problems listed (a failed signature first, and alone), 2 when transfer.json or the key is unreadable.
 */
interface VerifyCliOptions extends GlobalOptions {
  dir: string;
  against?: string;
  trust?: string;
  requireSignature: boolean;
  report?: string;
}

function progressLine(started: number): ((e: ProgressEvent) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (event) => {
    const e = withRates(event, started, Date.now());
    const pct = e.bytesTotal ? Math.floor((100 * e.bytesDone) / e.bytesTotal) : 0;
    const rate = e.bytesPerSecond ? ` ${(e.bytesPerSecond / (1024 * 1024)).toFixed(1)} MiB/s` : '';
    process.stderr.write(`\rverify ${e.volume ?? ''} ${pct}%${rate}   `);
  };
}

async function run(opts: VerifyCliOptions): Promise<void> {
  const startedAt = new Date();
  const onProgress = opts.json ? undefined : progressLine(startedAt.getTime());
  const signature = { require: opts.requireSignature, ...(opts.trust !== undefined ? { trust: opts.trust } : {}) };
  const report = await verifyTransfer(opts.dir, { signature, ...(onProgress ? { onProgress } : {}) });
  if (onProgress) process.stderr.write('\n');
  // The mirror is checked against what transfer.json lists, unless its signature failed (then nothing in it is trusted).
  const mirror = opts.against && report.signature?.ok !== false ? await checkMirror(opts, opts.against) : undefined;
  const written = opts.report ? await writeReport(opts.report, verifyOperatorReport(report, { startedAt, finishedAt: new Date() })) : undefined;
  if (opts.json) printJson({ ...report, ...(mirror ? { mirror } : {}), ...(written ? { reportFiles: written } : {}) });
  else process.stdout.write(`${renderVerifyReport(report)}${mirror ? renderMirrorCheck(mirror) : ''}${written ? `Report written to ${written.json} and ${written.markdown}\n` : ''}`);
  if (!report.ok || (mirror && !mirror.ok)) process.exitCode = 1;
}

async function checkMirror(opts: VerifyCliOptions, against: string): Promise<MirrorCheck> {
  const ctx = await createEngineContext(engineOptionsFrom(opts));
  try {
    return await verifyAgainst(ctx, await TransferReader.open(opts.dir), against);
  } finally {
    await ctx.close();
  }
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('verify')
      .description('check a transfer on disk: manifest, volume sizes and sha256, every blob digest, image completeness, no unsafe tar entries')
      .requiredOption('--dir <dir>', 'transfer directory (holding transfer.json and ferry-*.tar)')
      .option('--trust <pubkey>', 'transfer.json must be signed with this ed25519 public key (PREFIX.pub from ferry keys generate)')
      .option('--require-signature', 'fail an unsigned transfer instead of warning', false)
      .option('--report <file.json>', 'also write an operator report: FILE.json and a readable FILE.md beside it')
      .option('--against <host:port/namespace>', 'also check that the mirror holds every image of the transfer by digest'),
  ).action((opts: VerifyCliOptions) => run(opts));
}
