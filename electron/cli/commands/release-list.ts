import type { Command } from 'commander';
import { DEFAULT_GRAPH_URL, listReleases, updateTargets, type ConditionalSource, type UpdateRisk } from '../../../shared/update-graph';
import { updatePath } from '../../../shared/update-path';
import { fetchGraphFor } from '../update-graph';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';

/** `ferry release list --channel C --arch A [--from V] [--graph-url URL]`: the update graph's releases, newest first. */
interface ListOptions extends GlobalOptions {
  channel: string;
  arch: string;
  from?: string;
  graphUrl: string;
}

async function list(opts: ListOptions): Promise<void> {
  const { url, graph } = await fetchGraphFor(opts, opts.channel, opts.arch);
  const releases = listReleases(graph);
  const arch = new URL(url).searchParams.get('arch') ?? opts.arch;
  if (opts.from !== undefined) {
    const updates = updateTargets(releases, opts.from);
    if (opts.json) return printJson({ channel: opts.channel, arch, url, from: opts.from, updates });
    const width = Math.max(0, ...updates.map((u) => u.version.length));
    const lines = [`${updates.length} update(s) from ${opts.from} in ${opts.channel} for ${arch}, newest first:`];
    for (const u of updates) lines.push(`  ${u.version.padEnd(width)}  ${u.payload}${u.conditional ? `  [conditional: ${u.risks.map((x) => x.name).join(', ')}]` : ''}`);
    lines.push(...riskLines(updates.flatMap((u) => u.risks)));
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  if (opts.json) {
    printJson({ channel: opts.channel, arch, url, releases });
    return;
  }
  const width = Math.max(...releases.map((r) => r.version.length));
  const pad = ''.padEnd(width);
  const lines = [`${releases.length} release(s) in ${opts.channel} for ${arch}, newest first:`];
  for (const r of releases) {
    lines.push(`  ${r.version.padEnd(width)}  ${r.payload}${r.conditionalOnly ? `  [conditional only: ${r.risks.map((x) => x.name).join(', ')}]` : ''}`);
    if (r.updatesFrom.length) lines.push(`  ${pad}  updates from: ${r.updatesFrom.join(', ')}`);
    if (r.conditionalFrom.length) lines.push(`  ${pad}  conditional updates from: ${conditionalSources(r.conditionalFrom)}`);
  }
  lines.push(...riskLines(releases.flatMap((r) => r.risks)));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Each risk once, with its message and link, after a blank line; nothing when there is none. */
function riskLines(all: UpdateRisk[]): string[] {
  const risks = [...new Map(all.map((x) => [x.name, x])).values()];
  if (risks.length === 0) return [];
  return ['', 'Known risks of the conditional updates (a cluster checks whether each applies to it):', ...risks.map((x) => `  ${x.name}: ${x.message}${x.url ? ` (${x.url})` : ''}`)];
}

/** `4.15.4, 4.15.3 (risks: A, B); 4.14.15 (risks: C)`: sources sharing the same risks together. */
function conditionalSources(sources: ConditionalSource[]): string {
  const byRisks = new Map<string, string[]>();
  for (const s of sources) {
    const key = s.risks.join(', ');
    byRisks.set(key, [...(byRisks.get(key) ?? []), s.version]);
  }
  return [...byRisks].map(([risks, versions]) => `${versions.join(', ')} (risks: ${risks})`).join('; ');
}

/** Adds `list` under an existing `release` command (the one `ferry release info` lives in). */
function registerReleaseListCommand(release: Command): void {
  addCommonOptions(
    release
      .command('list')
      .description('list the releases of an update channel (OpenShift update graph), newest first, with their payloads and update edges, conditional ones with their risks')
      .requiredOption('--channel <channel>', 'update channel, e.g. stable-4.15')
      .option('--arch <arch>', 'architecture: amd64 (x86_64), arm64 (aarch64), ppc64le, s390x, multi', 'amd64')
      .option('--from <version>', 'only the updates a cluster at this version can take (conditional ones marked with their risks)')
      .option('--graph-url <url>', 'update service graph endpoint', DEFAULT_GRAPH_URL),
  ).action((opts: ListOptions) => list(opts));
}

/** `ferry release path --channel C --from A --to B [--shortest-path]`: the releases an update from A to B passes through. */
async function path(opts: ListOptions & { from: string; to: string; shortestPath: boolean }): Promise<void> {
  const { url, graph } = await fetchGraphFor(opts, opts.channel, opts.arch);
  const arch = new URL(url).searchParams.get('arch') ?? opts.arch;
  const found = updatePath(graph, opts.from, opts.to, { shortestPath: opts.shortestPath, channel: opts.channel });
  if (opts.json) return printJson({ channel: opts.channel, arch, url, ...found });
  const width = Math.max(...found.releases.map((r) => r.version.length));
  const lines = [
    found.mode === 'shortest'
      ? `Shortest update path from ${found.from} to ${found.to} in ${opts.channel} for ${arch}: ${found.releases.length} release(s)`
      : `${found.releases.length} release(s) from ${found.from} to ${found.to} in ${opts.channel} for ${arch}`,
    ...found.releases.map((r) => `  ${r.version.padEnd(width)}  ${r.payload}`),
    found.mode === 'shortest' ? 'Steps:' : 'Updates between them:',
    ...found.edges.map((e) => `  ${e.from} -> ${e.to}${e.risks ? `  [conditional: ${e.risks.map((x) => x.name).join(', ')}]` : ''}`),
  ];
  lines.push(...riskLines(found.edges.flatMap((e) => e.risks ?? [])));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Adds `path` under the `release` command. */
function registerReleasePathCommand(release: Command): void {
  addCommonOptions(
    release
      .command('path')
      .description('the releases an update from one version to another passes through in a channel (every release of the range, or the shortest path), conditional steps with their risks')
      .requiredOption('--channel <channel>', 'update channel, e.g. stable-4.15')
      .requiredOption('--from <version>', 'the version the cluster runs')
      .requiredOption('--to <version>', 'the version to reach')
      .option('--shortest-path', 'only the releases of the shortest path (as oc-mirror shortestPath: true)', false)
      .option('--arch <arch>', 'architecture: amd64 (x86_64), arm64 (aarch64), ppc64le, s390x, multi', 'amd64')
      .option('--graph-url <url>', 'update service graph endpoint', DEFAULT_GRAPH_URL),
  ).action((opts: ListOptions & { from: string; to: string; shortestPath: boolean }) => path(opts));
}

/** Registered after the `release` command's own module; creates the parent only if nothing else has. */
export function register(program: Command): void {
  const release = program.commands.find((c) => c.name() === 'release') ?? program.command('release').description('OpenShift releases');
  registerReleaseListCommand(release);
  registerReleasePathCommand(release);
}
