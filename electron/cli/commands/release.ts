import type { Command } from 'commander';
import { FerryError } from '../../../shared/errors';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { ARCHITECTURE_NAMES } from '../../../shared/release-arch';
import { releasePullspec } from '../../engine/release/resolve';
import { plannedReleases, planTransfer, type TransferPlan } from '../../engine/transfer/plan';
import { formatBytes } from '../format';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';

/** RELEASE argument or --version/--arch, as `oc adm release mirror` takes OCP_RELEASE and ARCHITECTURE. */
export function releaseArgument(release: string | undefined, opts: { version?: string; arch?: string }): string | undefined {
  if (release && opts.version) throw new FerryError('USAGE', 'Give a release pullspec or --version, not both.');
  if (opts.version) return releasePullspec(opts.version, opts.arch ?? 'x86_64');
  return release;
}

export function planSummary(plan: TransferPlan) {
  return {
    ...(plan.release
      ? {
          release: {
            version: plan.release.version,
            architecture: plan.release.architecture,
            platforms: plan.release.platforms,
            digest: plan.release.digest,
            source: plan.images.find((i) => i.role === 'release' && i.digest === plan.release!.digest)!.source,
            channels: plan.release.channels,
            components: plan.release.components.length,
          },
        }
      : {}),
    // An upgrade path: every release in path order, the primary (`release`) last.
    ...(plan.otherReleases
      ? {
          releases: plannedReleases(plan).map(({ release: r }) => ({
            version: r.version,
            architecture: r.architecture,
            digest: r.digest,
            source: plan.images.find((i) => i.role === 'release' && i.digest === r.digest)!.source,
            components: r.components.length,
          })),
        }
      : {}),
    images: plan.images.map((i) => ({
      source: i.source,
      role: i.role,
      ...(plan.release?.components.find((c) => c.source.digest === i.digest) ? { name: plan.release.components.find((c) => c.source.digest === i.digest)!.name } : {}),
      digest: i.digest,
      mediaType: i.mediaType,
      platforms: i.images.flatMap((m) => (m.platform ? [m.platform] : [])),
      bytes: i.bytes,
    })),
    totalBytes: plan.totalBytes,
    uniqueBytes: plan.uniqueBytes,
    uniqueBlobs: plan.uniqueBlobs,
  };
}

/** The first line of `release info` and of a dry run: a multi payload says that every architecture travels. */
export function releaseHeadline(r: { version: string; architecture: string; platforms: string[] }): string {
  if (r.architecture !== 'multi') return `Release ${r.version} (${r.architecture})`;
  return `Release ${r.version} (multi: ${r.platforms.join(', ')}; every architecture is mirrored)`;
}

export function register(program: Command): void {
  const release = program.command('release').description('OpenShift release payloads');
  addCommonOptions(
    release
      .command('info')
      .description('resolve a release and list its components, digests, total and unique bytes')
      .argument('[release]', 'release pullspec, e.g. quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64')
      .option('--version <version>', 'OpenShift version (instead of a pullspec)')
      .option('--arch <arch>', `architecture: ${ARCHITECTURE_NAMES}; with --version, default x86_64`),
  ).action(async (pullspec: string | undefined, opts: GlobalOptions & { version?: string; arch?: string }) => {
    const spec = releaseArgument(pullspec, opts);
    if (!spec) throw new FerryError('USAGE', 'Which release?', { hint: 'Give a pullspec or --version 4.15.3 [--arch x86_64].' });
    const ctx = await createEngineContext(engineOptionsFrom(opts));
    try {
      const summary = planSummary(await planTransfer(ctx, { release: spec, ...(opts.arch ? { arch: opts.arch } : {}) }));
      if (opts.json) return printJson(summary);
      const r = summary.release!;
      const lines = [
        releaseHeadline(r),
        `  ${r.source}`,
        ...(r.channels.length ? [`  channels: ${r.channels.join(', ')}`] : []),
        `  ${summary.images.length} images (${r.components} components), ${formatBytes(summary.totalBytes)} in all, ${formatBytes(summary.uniqueBytes)} unique (${summary.uniqueBlobs} blobs)`,
        '',
        ...summary.images.map((i) => `  ${(i.name ?? i.role).padEnd(40)} ${i.digest}  ${formatBytes(i.bytes).padStart(10)}${i.platforms.length ? `  [${i.platforms.join(', ')}]` : ''}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await ctx.close();
    }
  });
}
