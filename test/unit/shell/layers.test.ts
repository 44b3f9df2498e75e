import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { ESLint } from 'eslint';

// The layer rules of DESIGN §2 as `npm run lint` runs them (.dependency-cruiser.cjs, eslint.config.js):
// a tree with one break of each rule is reported rule by rule, and the real tree passes.
const ROOT = resolve(import.meta.dirname, '../../..');
const LAYERS = ['electron', 'shared', 'renderer', 'test', 'bench', 'scripts'];

/** Each file of the fixture tree, and the rule its imports break (none for the allowed ones). */
const FIXTURE: Record<string, { text: string; breaks?: string }> = {
  'shared/ok.ts': { text: "export const ok = 1;\n" },
  'shared/reads-disk.ts': { text: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", breaks: 'shared-is-runtime-free' },
  'shared/knows-engine.ts': { text: "import { e } from '../electron/engine/e';\nexport const x = e;\n", breaks: 'shared-is-the-bottom' },
  'electron/engine/e.ts': { text: "import { ok } from '../../shared/ok';\nexport const e = ok;\n" },
  'electron/engine/uses-jobs.ts': { text: "import { j } from '../jobs/j';\nexport const x = j;\n", breaks: 'engine-is-pure-node' },
  'electron/jobs/j.ts': { text: "import { e } from '../engine/e';\nexport const j = e;\n" },
  'electron/jobs/uses-host.ts': { text: "import { h } from '../host/h';\nexport const x = h;\n", breaks: 'jobs-below-hosts' },
  'electron/worker/parses-size.ts': { text: "import { c } from '../cli/c';\nexport const x = c;\n", breaks: 'nothing-below-the-cli-imports-it' },
  'electron/cli/c.ts': { text: "export const c = 1;\n" },
  'electron/cli/run.ts': { text: "export const run = 1;\n" },
  'electron/cli/commands/index.ts': { text: "export const commands = [];\n" },
  'electron/main/cli-launch.ts': {
    text: "import { commands } from '../cli/commands/index';\nimport { c } from '../cli/c';\nexport const x = [commands, c];\n",
    breaks: 'cli-launch-runs-the-cli',
  },
  'electron/main/index.ts': { text: "import { run } from '../cli/run';\nexport const x = run;\n" },
  'electron/preload/uses-engine.ts': { text: "import { e } from '../engine/e';\nexport const x = e;\n", breaks: 'preload-only-shared' },
  'shared/typo.ts': { text: "import { y } from './missing';\nexport const x = y;\n", breaks: 'not-to-unresolvable' },
  'electron/main/m.ts': { text: "import { app } from 'electron';\nexport const m = app;\n" },
  'electron/host/h.ts': { text: "import { j } from '../jobs/j';\nexport const h = j;\n" },
  'electron/host/uses-main.ts': { text: "import { m } from '../main/m';\nexport const x = m;\n", breaks: 'host-is-electron-free' },
  'electron/serve/uses-main.ts': { text: "import { m } from '../main/m';\nexport const x = m;\n", breaks: 'serve-and-worker-not-main' },
  'renderer/uses-engine.ts': { text: "import { e } from '../electron/engine/e';\nexport const x = e;\n", breaks: 'renderer-only-shared' },
  'bench/drives-cli.ts': { text: "import { run } from '../electron/cli/run';\nexport const x = run;\n" },
  'scripts/drives-cli.ts': { text: "import { c } from '../electron/cli/c';\nexport const x = c;\n" },
  'test/imports-electron.test.ts': { text: "import { app } from 'electron';\nexport const x = app;\n", breaks: 'electron-only-in-main-and-preload' },
  'node_modules/electron/package.json': { text: '{"name":"electron","main":"index.js"}\n' },
  'node_modules/electron/index.js': { text: 'module.exports = {};\n' },
};

let options: ICruiseOptions;
let fixture: string;

async function violations(baseDir: string, ruleOptions: ICruiseOptions): Promise<IViolation[]> {
  const { tsConfig: _tsConfig, enhancedResolveOptions, ...rest } = ruleOptions;
  const result = await cruise(LAYERS, { ...rest, baseDir, validate: true }, enhancedResolveOptions);
  const output = result.output;
  assert.ok(typeof output === 'object', 'the cruise returns its result as an object');
  return output.summary.violations;
}

before(async () => {
  options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  fixture = await mkdtemp(join(tmpdir(), 'ferry-layers-'));
  for (const [path, { text }] of Object.entries(FIXTURE)) {
    await mkdir(dirname(join(fixture, path)), { recursive: true });
    await writeFile(join(fixture, path), text);
  }
});

after(async () => {
  await rm(fixture, { recursive: true, force: true });
});

describe('layer rules (.dependency-cruiser.cjs)', () => {
  test('each deliberate break is reported under its rule, and nothing else is', async () => {
    const found = (await violations(fixture, options)).map((v) => `${v.from} ${v.rule.name}`).sort();
    const expected = Object.entries(FIXTURE)
      .filter(([, f]) => f.breaks)
      .map(([path, f]) => `${path} ${f.breaks}`)
      .sort();
    assert.deepEqual(found, expected);
  });

  test('the real tree keeps every layer rule', async () => {
    const found = await violations(ROOT, options);
    assert.deepEqual(
      found.map((v) => `${v.from} -> ${v.to} (${v.rule.name})`),
      [],
    );
  });
});

describe('shared/ globals (eslint.config.js)', () => {
  test('DOM and Node globals in shared/ are reported; the same code in renderer/ or electron/ is not', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const lint = async (filePath: string, text: string) =>
      (await eslint.lintText(text, { filePath: join(ROOT, filePath) }))[0]!.messages.map((m) => m.ruleId);
    assert.deepEqual(await lint('shared/x.ts', 'export const w = window.location.href;\n'), ['no-restricted-globals']);
    assert.deepEqual(await lint('shared/x.ts', 'export const cwd = process.cwd();\n'), ['no-restricted-globals']);
    assert.deepEqual(await lint('renderer/src/x.ts', 'export const w = window.location.href;\n'), []);
    assert.deepEqual(await lint('electron/engine/x.ts', 'export const cwd = process.cwd();\n'), []);
  });
});
