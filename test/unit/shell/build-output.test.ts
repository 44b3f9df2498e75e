import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const out = join(root, 'out');
// CI runs `npm run build` before the tests; a bare checkout has no out/ to check.
const built = existsSync(join(out, 'main', 'index.js'));

describe('electron-vite build output', { skip: built ? false : 'out/ not built (run npm run build)' }, () => {
  it('main and worker are ES modules Node can parse, with no __dirname', () => {
    for (const f of ['main/index.js', 'main/worker.js']) {
      const file = join(out, f);
      execFileSync(process.execPath, ['--check', file]);
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^import /m, `${f} is ESM`);
      assert.doesNotMatch(text, /\b__dirname\b/, `${f} must not rely on __dirname`);
    }
    assert.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main, 'out/main/index.js');
  });

  it('the preload is one CommonJS file (sandboxed preloads cannot be ESM)', () => {
    const text = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8');
    execFileSync(process.execPath, ['--check', join(out, 'preload', 'index.cjs')]);
    assert.doesNotMatch(text, /^import /m);
    assert.match(text, /exposeInMainWorld\("ferry"/);
  });

  it('main loads the files at the paths the build wrote', () => {
    const main = readFileSync(join(out, 'main', 'index.js'), 'utf8');
    assert.match(main, /"worker\.js"/);
    assert.match(main, /"\.\.\/preload\/index\.cjs"/);
    assert.ok(existsSync(join(out, 'renderer', 'index.html')));
  });
});
