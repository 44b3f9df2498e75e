import { Option, type Command } from 'commander';
import { engineOpener, engineOptionsFrom } from '../../engine/context';
import { extractOperation } from '../../engine/transfer/extract';
import { EXTRACTABLE_COMMANDS } from '../../engine/transfer/extract-targets';
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
  mirror?: string;
  command: string;
  commandOs?: string;
  to: string;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('extract')
      .description('extract a command (openshift-install, oc) from a release payload, pinned to the release, from the registry or from a transfer directory')
      .option('--release <pullspec>', 'release pullspec, e.g. quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64')
      .option('--version <version>', 'OpenShift version (instead of --release)')
      .addOption(new Option('--from-dir <dir>', 'read the release from this transfer directory (disconnected side)').conflicts(['release', 'version']))
      .option('--mirror <host:port/namespace>', 'with --from-dir: the mirror the transfer was pushed to; the binary names the release there')
      .option('--arch <arch>', 'architecture of the payload (x86_64, aarch64, ppc64le, s390x)', 'x86_64')
      .requiredOption('--command <name>', `the command to extract (${EXTRACTABLE_COMMANDS.join(', ')})`)
      .option('--command-os <os[/arch]>', 'platform of the binary, as oc: linux, linux/arm64, mac, mac/arm64, windows … (default: linux on the payload architecture)')
      .requiredOption('--to <dir>', 'directory to write the binary into (mode 0755)'),
  ).action(async (opts: ExtractOptions) => {
    const interrupt = interruptSignal();
    try {
      const release = opts.fromDir ? undefined : releaseArgument(opts.release, opts);
      const result = await extractOperation(
        {
          command: opts.command,
          toDir: opts.to,
          arch: opts.arch,
          ...(opts.commandOs ? { commandOs: opts.commandOs } : {}),
          ...(release ? { release } : {}),
          ...(opts.fromDir ? { fromDir: opts.fromDir } : {}),
          ...(opts.mirror ? { mirror: opts.mirror } : {}),
          signal: interrupt.signal,
        },
        engineOpener(engineOptionsFrom({ ...opts, signal: interrupt.signal })),
      );
      if (opts.json) printJson(result);
      else {
        const pinned = [result.releaseImage ? `release image ${result.releaseImage}` : '', `version ${result.releaseVersion}`].filter(Boolean).join(', ');
        process.stdout.write(`Extracted ${result.file} (${result.platform}, ${formatBytes(result.bytes)}, mode 0755) from ${result.image}\nPinned to ${pinned}\n`);
      }
    } finally {
      interrupt.dispose();
    }
  });
}
