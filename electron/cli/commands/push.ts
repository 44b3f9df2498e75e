import type { Command } from 'commander';
import { RECEIPT_FILE } from '../../../shared/transfer/receipt';
import { renderSignatureCheck } from '../../../shared/transfer/signature';
import { renderNotCarried } from '../../../shared/transfer/verify-report';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { describeHolder } from '../../engine/media/lock';
import { writeReport } from '../../engine/reports/write';
import { assertAllPushed, pushFromDisk } from '../../engine/transfer/push';
import { pushOperatorReport } from '../../engine/transfer/push-report';
import type { ResumeStats } from '../../engine/transfer/push-session';
import { formatBytes } from '../format';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';
import { addTrustOptions, type TrustCliOptions } from '../trust-options';
import { interruptSignal, terminalProgress } from './copy';

function resumeLine(s: ResumeStats): string {
  return `Resuming push: ${s.confirmed} blob(s)/manifest(s) already in the mirror, confirmed by HEAD (of ${s.journaled} in the journal), are skipped; ${s.inFlightBlobs} blob(s) (${formatBytes(s.inFlightBytes)}) were in flight and are sent again\n`;
}

export function register(program: Command): void {
  addCommonOptions(
    addTrustOptions(
      program
        .command('push')
        .description('push a transfer from removable media into the mirror registry, verifying its signature first and every byte read')
        .requiredOption('--from-dir <dir>', 'the transfer directory (transfer.json + ferry-NNNNNN.tar)')
        .requiredOption('--to <host:port/namespace>', 'the mirror registry and namespace')
        .option('--receipt <file>', 'where to write receipt.json (default: DIR/receipt.json); the resume journal is kept beside it')
        .option('--report <file.json>', 'also write an operator report (JSON, and Markdown beside it)'),
    ),
  ).action(async (opts: GlobalOptions & TrustCliOptions & { fromDir: string; to: string; receipt?: string; report?: string }) => {
    const startedAt = new Date();
    const progress = opts.json ? { listener: undefined, end: () => undefined } : terminalProgress();
    const interrupt = interruptSignal();
    const ctx = await createEngineContext(engineOptionsFrom({ ...opts, signal: interrupt.signal, ...(progress.listener ? { onProgress: progress.listener } : {}) }));
    try {
      const result = await pushFromDisk(ctx, opts.fromDir, opts.to, {
        ...(opts.receipt ? { receiptPath: opts.receipt } : {}),
        trust: { trust: opts.trust, allowUnsigned: opts.allowUnsigned, allowUntrusted: opts.allowUntrusted },
        onResume: (s) => {
          // On stderr even with --json: stdout stays one JSON document.
          if (s.tookOverLock) process.stderr.write(`Took over the lock of an earlier push that is no longer running: ${describeHolder(s.tookOverLock)}\n`);
          if (s.journaled + s.inFlightBlobs > 0) process.stderr.write(resumeLine(s));
        },
      });
      progress.end();
      if (!opts.json) process.stdout.write(`${renderSignatureCheck(result.signature).join('\n')}\n`);
      if (opts.report) {
        const report = pushOperatorReport(result, { fromDir: opts.fromDir, transferId: result.receipt.transferId, signature: result.signature, startedAt, finishedAt: new Date() });
        const written = await writeReport(opts.report, report);
        if (!opts.json) process.stdout.write(`Report: ${written.json} and ${written.markdown}\n`);
      }
      if (opts.json) printJson({ ...result, images: result.images.map(({ result: r, ...rest }) => ({ ...rest, ...(r ? { blobs: r.blobs } : {}) })) });
      else {
        const b = result.blobs;
        const ok = result.images.filter((i) => i.result).length;
        const parent = result.parent ? `; ${result.parent.images} image(s) and ${result.parent.blobs} blob(s) of parent transfer ${result.parent.id} already in the mirror` : '';
        process.stdout.write(
          `Pushed ${ok} of ${result.images.length} images to ${opts.to}: ${b.copied} blobs sent (${formatBytes(b.bytesCopied)}), ${b.mounted} mounted, ${b.skipped} already in the mirror${parent}\n` +
            (result.resume.journaled + result.resume.inFlightBlobs > 0 ? resumeLine(result.resume) : '') +
            `Receipt: ${result.receiptPath} (carry it back; ferry mirror --since ${RECEIPT_FILE} then writes only what the mirror lacks)\n` +
            renderNotCarried(result.notCarried).map((l) => `${l}\n`).join(''),
        );
      }
      assertAllPushed(result);
    } finally {
      progress.end();
      interrupt.dispose();
      await ctx.close();
    }
  });
}
