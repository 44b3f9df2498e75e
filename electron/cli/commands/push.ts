import type { Command } from 'commander';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { RECEIPT_FILE } from '../../../shared/transfer/receipt';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { assertAllPushed, pushFromDisk } from '../../engine/transfer/push';
import { formatBytes } from '../format';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';
import { interruptSignal, terminalProgress } from './copy';

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.partial`;
  await writeFile(temp, text, { mode: 0o644 });
  await rename(temp, path);
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('push')
      .description('push a transfer from removable media into the mirror registry, verifying every byte read')
      .requiredOption('--from-dir <dir>', 'the transfer directory (transfer.json + ferry-NNNNNN.tar)')
      .requiredOption('--to <host:port/namespace>', 'the mirror registry and namespace')
      .option('--receipt <file>', 'where to write receipt.json (default: DIR/receipt.json)'),
  ).action(async (opts: GlobalOptions & { fromDir: string; to: string; receipt?: string }) => {
    const progress = opts.json ? { listener: undefined, end: () => undefined } : terminalProgress();
    const interrupt = interruptSignal();
    const ctx = await createEngineContext(engineOptionsFrom({ ...opts, signal: interrupt.signal, ...(progress.listener ? { onProgress: progress.listener } : {}) }));
    try {
      const result = await pushFromDisk(ctx, opts.fromDir, opts.to);
      progress.end();
      const receiptPath = opts.receipt ?? join(opts.fromDir, RECEIPT_FILE);
      await writeAtomically(receiptPath, `${JSON.stringify(result.receipt, null, 2)}\n`);
      if (opts.json) printJson({ ...result, receiptPath, images: result.images.map(({ result: r, ...rest }) => ({ ...rest, ...(r ? { blobs: r.blobs } : {}) })) });
      else {
        const b = result.blobs;
        const ok = result.images.filter((i) => i.result).length;
        process.stdout.write(
          `Pushed ${ok} of ${result.images.length} images to ${opts.to}: ${b.copied} blobs sent (${formatBytes(b.bytesCopied)}), ${b.mounted} mounted, ${b.skipped} already in the mirror\n` +
            `Receipt: ${receiptPath} (carry it back; ferry mirror --since ${RECEIPT_FILE} then writes only what the mirror lacks)\n`,
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
