import type { Command } from 'commander';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { inspect, type InspectResult } from '../../engine/copy/inspect';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';

function size(n: number): string {
  if (n < 0) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function human(r: InspectResult): string {
  const lines = [`${r.reference}`, `digest:     ${r.digest}`, `media type: ${r.mediaType}`];
  if (r.platforms) {
    lines.push(`platforms:  ${r.platforms.length}`);
    for (const p of r.platforms) lines.push(`  ${(p.platform ?? 'unknown').padEnd(20)} ${p.digest}  ${size(p.size)}`);
  }
  if (r.os || r.architecture) lines.push(`platform:   ${[r.os, r.architecture, r.variant].filter(Boolean).join('/')}`);
  if (r.created) lines.push(`created:    ${r.created}`);
  if (r.config) lines.push(`config:     ${r.config.digest}  ${size(r.config.size)}`);
  if (r.layers) {
    lines.push(`layers:     ${r.layers.length}${r.size !== undefined ? ` (${size(r.size)})` : ''}`);
    for (const l of r.layers) lines.push(`  ${l.digest}  ${size(l.size)}`);
  }
  if (r.labels && Object.keys(r.labels).length) {
    lines.push('labels:');
    for (const [k, v] of Object.entries(r.labels)) lines.push(`  ${k}=${v}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('inspect')
      .description('show an image or index: digest, media type, platforms or layers with sizes, config')
      .argument('<reference>', 'HOST[:PORT]/REPO[:TAG|@DIGEST], docker://... or oci:DIR[:REF]'),
  ).action(async (reference: string, opts: GlobalOptions) => {
    const ctx = await createEngineContext(engineOptionsFrom(opts));
    try {
      const result = await inspect(ctx, reference);
      if (opts.json) printJson(result);
      else process.stdout.write(human(result));
    } finally {
      await ctx.close();
    }
  });
}
