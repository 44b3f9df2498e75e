import type { Command } from 'commander';
import { formatBytes } from '../../../shared/format';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { applyPrune, GARBAGE_COLLECTION_ADVICE, planPrune, readKeptReceipts, type PrunePlan } from '../../engine/transfer/prune';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';

/**
 * `ferry prune --mirror HOST:PORT/NS --keep receipt.json... [--yes]`: shows which manifests of the mirror
 * namespace no kept transfer needs, and deletes them only with --yes. Exit 0 when the plan was shown or
 * carried out, 1 when the registry refuses deletes, 2 for bad input.
 */
interface PruneOptions extends GlobalOptions {
  mirror: string;
  keep: string[];
  yes: boolean;
}

function renderPlan(plan: PrunePlan): string {
  const lines = [
    `${plan.target}: ${plan.manifests.length} manifest(s) no kept transfer needs, about ${formatBytes(plan.bytes)} for garbage collection to reclaim.`,
    `Examined ${plan.repositories} repositor${plan.repositories === 1 ? 'y' : 'ies'} and ${plan.tagsExamined} tag(s)${plan.listedFrom === 'receipts' ? ' (the registry does not list its repositories: only those of the kept transfers)' : ''}; kept ${plan.keptImages} image(s) of the kept transfer(s).`,
  ];
  if (plan.tagsOnKeptImages) lines.push(`${plan.tagsOnKeptImages} tag(s) stay: their images are still needed by a kept transfer.`);
  for (const m of plan.manifests) lines.push(`  ${m.repository}@${m.digest}  ${m.tags.length ? m.tags.join(', ') : '(untagged)'}  ${formatBytes(m.bytes)}`);
  if (plan.deletes === 'disabled') lines.push('The registry does not allow deletes (distribution: storage.delete.enabled is off); this plan cannot be carried out.');
  if (plan.deletes === 'denied') lines.push('These credentials may not delete from this registry; this plan cannot be carried out with them.');
  return `${lines.join('\n')}\n`;
}

async function run(opts: PruneOptions): Promise<void> {
  const keep = await readKeptReceipts(opts.keep, parseMirrorTarget(opts.mirror));
  const ctx = await createEngineContext(engineOptionsFrom(opts));
  try {
    const plan = await planPrune(ctx, opts.mirror, keep);
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
      .description('delete from a mirror the images no kept transfer needs (shows the plan; deletes only with --yes)')
      .requiredOption('--mirror <host:port/namespace>', 'the mirror namespace to prune')
      .option('--keep <receipt.json>', 'receipt of a push whose images must stay (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--yes', 'delete the planned manifests (without it, only the plan is shown)', false),
  ).action((opts: PruneOptions) => run(opts));
}
