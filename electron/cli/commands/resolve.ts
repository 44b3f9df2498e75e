import type { Command } from 'commander';
import { parseRegistriesConf, resolvePull, type Resolution } from '../../../shared/config/resolve';
import { readInputFile } from '../../engine/config/input-file';
import { addCommonOptions } from '../program';
import { printJson } from '../output';

/** `ferry resolve REF --registries-conf FILE`: where a node would pull REF from, in order. */
function describe(r: Resolution): string {
  const lines = [`${r.reference} (${r.byDigest ? 'by digest' : 'by tag'})`];
  lines.push(r.registry ? `matches [[registry]] prefix "${r.registry.prefix}"` : 'matches no [[registry]] entry');
  r.attempts.forEach((a, i) => {
    const state = a.refused ? `REFUSED (${a.refused})` : a.insecure ? 'insecure' : '';
    lines.push(`  ${i + 1}. ${a.reference}  [${a.kind}${state ? `, ${state}` : ''}] ${a.reason}`);
  });
  for (const s of r.skipped) lines.push(`  skipped ${s.location}: ${s.reason}`);
  if (r.attempts.every((a) => a.refused)) lines.push('no location is allowed: the pull fails');
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('resolve')
      .description('show how a node would resolve a pull through registries.conf (mirrors in order, then the source)')
      .argument('<ref>', 'image reference, e.g. quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:…')
      .requiredOption('--registries-conf <file>', 'registries.conf (v2) to resolve through'),
  ).action(async (ref: string, opts: { registriesConf: string; json: boolean }) => {
    const text = (await readInputFile(opts.registriesConf, 'registries.conf', '--registries-conf')).toString('utf8');
    const conf = parseRegistriesConf(text, opts.registriesConf);
    const resolution = resolvePull(conf, ref);
    if (opts.json) {
      printJson({ ...resolution, unknownKeys: conf.unknownKeys });
    } else {
      for (const key of conf.unknownKeys) process.stderr.write(`warning: ${opts.registriesConf}: unknown key ${key} (containers/image ignores it)\n`);
      process.stdout.write(describe(resolution));
    }
    // The simulation worked, but the pull it predicts cannot: a failed check.
    if (resolution.attempts.every((a) => a.refused)) process.exitCode = 1;
  });
}
