import type { Command } from 'commander';
import { FerryError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { imageSetRecord } from '../../engine/config/imageset-record';
import { readInputFile } from '../../engine/config/input-file';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { applyPrune, GARBAGE_COLLECTION_ADVICE, planPrune, readKeptReceipts, type PrunePlan } from '../../engine/transfer/prune';
import { keepFromConfig } from '../../engine/transfer/prune-config';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';

/**
 * `ferry prune --mirror HOST:PORT/NS [--keep receipt.json...] [--config imageset.yaml] [--yes]`: shows which
 * manifests of the mirror namespace neither a kept transfer nor the ImageSetConfiguration needs, and deletes them
 * only with --yes. Exit 0 when the plan was shown or carried out, 1 when the registry refuses deletes, 2 for bad input.
 */
interface PruneOptions extends GlobalOptions {
  mirror: string;
  keep: string[];
  config?: string;
  yes: boolean;
}

function renderConfig(config: NonNullable<PrunePlan['config']>): string[] {
  const lines = [`${config.file} (${config.digest}) keeps ${config.images.length} image(s):`];
  for (const r of config.releases) lines.push(`  release ${r.version}-${r.arch}${r.channel ? ` (${r.channel})` : ''}: ${r.image} and its ${r.components} component(s)`);
  for (const c of config.catalogs) lines.push(`  catalog ${c.catalog}: ${c.image}, ${c.bundles.length} bundle(s) (${c.bundles.join(', ')}), ${c.images} bundle and related image(s)`);
  for (const a of config.additional) lines.push(`  image ${a.source}: ${a.image}`);
  for (const b of config.blocked) lines.push(`  not kept (blockedImages): ${b}`);
  for (const n of config.notes) lines.push(`  ${n}`);
  if (config.missing.length) lines.push(`${config.file} selects ${config.missing.length} thing(s) the mirror does not hold (nothing to keep for them):`);
  for (const m of config.missing) lines.push(`  ${m.what}: ${m.why}`);
  return lines;
}

function renderPlan(plan: PrunePlan): string {
  const kept = plan.config ? 'nothing kept' : 'no kept transfer';
  const lines = [
    ...(plan.config ? renderConfig(plan.config) : []),
    `${plan.target}: ${plan.manifests.length} manifest(s) ${kept} needs, about ${formatBytes(plan.bytes)} for garbage collection to reclaim.`,
    `Examined ${plan.repositories} repositor${plan.repositories === 1 ? 'y' : 'ies'} and ${plan.tagsExamined} tag(s)${plan.listedFrom === 'receipts' ? ' (the registry does not list its repositories: only those of the kept images)' : ''}; kept ${plan.keptImages} image(s).`,
  ];
  if (plan.tagsOnKeptImages) lines.push(`${plan.tagsOnKeptImages} tag(s) stay: their images are still needed.`);
  for (const m of plan.manifests) lines.push(`  ${m.repository}@${m.digest}  ${m.tags.length ? m.tags.join(', ') : '(untagged)'}  ${formatBytes(m.bytes)}`);
  if (plan.deletes === 'disabled') lines.push('The registry does not allow deletes (distribution: storage.delete.enabled is off); this plan cannot be carried out.');
  if (plan.deletes === 'denied') lines.push('These credentials may not delete from this registry; this plan cannot be carried out with them.');
  return `${lines.join('\n')}\n`;
}

async function run(opts: PruneOptions): Promise<void> {
  if (opts.keep.length === 0 && opts.config === undefined) {
    throw new FerryError('USAGE', 'Name what to keep: --keep receipt.json (repeatable) and/or --config imageset.yaml.', {
      hint: 'Pruning keeps what the given receipts or ImageSetConfiguration need and deletes the rest of the namespace; with nothing to keep it would delete everything.',
    });
  }
  const target = parseMirrorTarget(opts.mirror);
  const receipts = await readKeptReceipts(opts.keep, target);
  // Read before any registry is contacted: a field Ferry does not support is refused with its line, as by `ferry mirror --config`.
  const record = opts.config !== undefined ? imageSetRecord(await readInputFile(opts.config, 'the ImageSetConfiguration', '--config'), opts.config) : undefined;
  const ctx = await createEngineContext(engineOptionsFrom(opts));
  try {
    const config = record ? { file: opts.config!, digest: record.digest, ...(await keepFromConfig(ctx, target, record.config)) } : undefined;
    const plan = await planPrune(ctx, opts.mirror, { receipts, ...(config ? { config } : {}) });
    if (!opts.yes || plan.manifests.length === 0) {
      if (opts.json) printJson({ plan, deleted: [] });
      else process.stdout.write(`${renderPlan(plan)}${plan.manifests.length ? 'Nothing deleted: run again with --yes to delete these manifests.\n' : 'Nothing to delete.\n'}`);
      return;
    }
    if (!opts.json) process.stdout.write(renderPlan(plan));
    const result = await applyPrune(ctx, plan);
    if (opts.json) printJson({ ...result, garbageCollection: GARBAGE_COLLECTION_ADVICE });
    else process.stdout.write(`Deleted ${result.deleted.length} manifest(s).\n${GARBAGE_COLLECTION_ADVICE}\n`);
  } finally {
    await ctx.close();
  }
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('prune')
      .description('delete from a mirror the images no kept transfer or ImageSetConfiguration needs (shows the plan; deletes only with --yes)')
      .requiredOption('--mirror <host:port/namespace>', 'the mirror namespace to prune')
      .option('--keep <receipt.json>', 'receipt of a push whose images must stay (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--config <imageset.yaml>', 'an oc-mirror ImageSetConfiguration whose selection must stay, resolved against the mirror (no update graph needed)')
      .option('--yes', 'delete the planned manifests (without it, only the plan is shown)', false),
  ).action((opts: PruneOptions) => run(opts));
}
