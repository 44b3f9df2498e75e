import { Option, type Command } from 'commander';
import { FerryError } from '../../../shared/errors';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { EXTRACTABLE, extractFromRegistry, extractFromTransfer, type ExtractResult } from '../../engine/transfer/extract';
import { formatBytes } from '../format';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';
import { interruptSignal } from './copy';
import { releaseArgument } from './release';

interface ExtractOptions extends GlobalOptions {
  release?: string;
  version?: string;
  arch: string;
  fromDir?: string;
  command: string;
  to: string;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('extract')
      .description('extract a command (openshift-install) from a release payload, from the registry or from a transfer directory')
      .option('--release <pullspec>', 'release pullspec, e.g. quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64')
      .option('--version <version>', 'OpenShift version (instead of --release)')
      .addOption(new Option('--from-dir <dir>', 'read the release from this transfer directory (disconnected side)').conflicts(['release', 'version']))
      .option('--arch <arch>', 'architecture (x86_64, aarch64, ppc64le, s390x)', 'x86_64')
      .requiredOption('--command <name>', `the command to extract (${Object.keys(EXTRACTABLE).join(', ')})`)
      .requiredOption('--to <dir>', 'directory to write the binary into (mode 0755)'),
  ).action(async (opts: ExtractOptions) => {
    const interrupt = interruptSignal();
    try {
      let result: ExtractResult;
      if (opts.fromDir) {
        result = await extractFromTransfer(opts.fromDir, opts.command, opts.to, opts.arch, interrupt.signal);
      } else {
        const release = releaseArgument(opts.release, opts);
        if (!release) throw new FerryError('USAGE', 'Which release?', { hint: 'Give --release PULLSPEC, --version X.Y.Z, or --from-dir TRANSFER.' });
        const ctx = await createEngineContext(engineOptionsFrom({ ...opts, signal: interrupt.signal }));
        try {
          result = await extractFromRegistry(ctx, release, opts.command, opts.to, opts.arch);
        } finally {
          await ctx.close();
        }
      }
      if (opts.json) printJson(result);
      else process.stdout.write(`Extracted ${result.file} (${formatBytes(result.bytes)}, mode 0755) from ${result.image}\n`);
    } finally {
      interrupt.dispose();
    }
  });
}
