import { Option, type Command } from 'commander';
import { measuring, progressLine, type ProgressListener } from '../../../shared/progress';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { copy } from '../../engine/copy/copy';
import { parsePlatform } from '../../engine/registry/manifest';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

/** A one-line status on a terminal's stderr; nothing when stderr is not a terminal (scripts, CI). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { listener: ProgressListener | undefined; end(): void } {
  if (!stream.isTTY) return { listener: undefined, end: () => undefined };
  const measure = measuring();
  let drawn = false;
  return {
    listener: (event) => {
      const line = progressLine(measure(event));
      stream.write(`\r\x1b[K${line.slice(0, (stream.columns || 120) - 1)}`);
      drawn = true;
    },
    end: () => {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** Ctrl-C cancels cleanly: transfers abort, upload sessions are deleted, nothing is named. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('copy')
      .description('copy an image or index between registries and OCI layouts, byte for byte (docker://HOST/REPO[:TAG|@DIGEST] or oci:DIR[:REF])')
      .argument('<source>', 'docker://HOST[:PORT]/REPO[:TAG|@DIGEST] or oci:DIR[:REF]')
      .argument('<destination>', 'docker://HOST[:PORT]/REPO[:TAG] or oci:DIR[:REF]')
      .option('--all', 'copy every platform of a multi-arch index (the default)')
      .addOption(new Option('--platform <os/arch>', 'copy only this platform of an index').conflicts('all')),
  ).action(async (source: string, destination: string, opts: GlobalOptions & { platform?: string }) => {
    const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
    const progress = opts.json ? { listener: undefined, end: () => undefined } : terminalProgress();
    const interrupt = interruptSignal();
    const ctx = await createEngineContext(engineOptionsFrom({ ...opts, signal: interrupt.signal, ...(progress.listener ? { onProgress: progress.listener } : {}) }));
    try {
      const result = await copy(ctx, source, destination, platform ? { platform } : {});
      progress.end();
      if (opts.json) printJson(result);
      else {
        const b = result.blobs;
        process.stdout.write(
          `Copied ${result.source} to ${result.destination}\n` +
            `digest ${result.digest} (${result.mediaType})\n` +
            `${result.manifests.length} image manifest(s); blobs: ${b.copied} copied (${mib(b.bytesCopied)}), ${b.mounted} mounted, ${b.skipped} already present\n`,
        );
      }
    } finally {
      progress.end();
      interrupt.dispose();
      await ctx.close();
    }
  });
}
