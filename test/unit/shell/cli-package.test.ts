import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../../support/tmp';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
// CI runs `npm run build` before the tests; a bare checkout has no out/cli to pack.
const built = existsSync(join(root, 'out', 'cli', 'ferry.mjs')) && existsSync(join(root, 'out', 'renderer', 'index.html'));

describe('the installable ferry command (npm pack → npm install -g)', { skip: built ? false : 'out/ not built (run npm run build)' }, () => {
  const work = tempDir('ferry-pack-');
  after(() => work.cleanup());

  it('installs a ferry bin that runs without the checkout, tsx or TypeScript', async () => {
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work.path], { cwd: root });
    const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    const paths = packed.files.map((f) => f.path);
    assert.ok(paths.includes('out/cli/ferry.mjs') && paths.includes('out/cli/worker.mjs') && paths.includes('out/renderer/index.html'));
    assert.ok(!paths.some((p) => p.endsWith('.ts')), 'no TypeScript sources in the package');

    const prefix = join(work.path, 'prefix');
    // The packages come from npm's cache that `npm ci` filled; keytar (optional, native) is not needed here.
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--omit=optional', '--no-audit', '--no-fund', join(work.path, packed.filename)], { cwd: work.path });
    const bin = join(prefix, 'bin', 'ferry');
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:/usr/bin:/bin` };

    const version = await run(bin, ['--version'], { cwd: work.path, env });
    const pkg = (await import(join(root, 'package.json'), { with: { type: 'json' } })) as { default: { version: string } };
    assert.equal(version.stdout.trim(), pkg.default.version);

    // A command that loads its own modules, and its exit code for bad input.
    const bad = await run(bin, ['ca', 'inspect', join(root, 'test/fixtures/certs/not-a-certificate.der')], { cwd: work.path, env }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((bad as { code: number }).code, 2);
    assert.match((bad as { stderr: string }).stderr, /neither a PEM certificate nor a DER/);

    // serve finds the renderer shipped beside the CLI.
    const serve = spawn(bin, ['serve', '--json', '--port', '0', '--data-dir', join(work.path, 'data')], { cwd: work.path, env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        serve.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out);
        });
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      const entry = await fetch(url, { redirect: 'manual' });
      const cookie = entry.headers.get('set-cookie')?.split(';')[0] ?? '';
      const page = await fetch(new URL('/', url), { headers: { cookie } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="root">/);
    } finally {
      serve.kill('SIGTERM');
    }
  });
});
