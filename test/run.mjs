#!/usr/bin/env node
// Runs the test tiers with Node's own test runner (TypeScript through tsx) and, for e2e, Playwright.
// Usage: node test/run.mjs [unit|integration|e2e ...]  (no argument: all tiers, in that order).
// Ends with one plain line "total: N passed, N failed" that CI reads.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (/\.test\.tsx?$/.test(name)) out.push(relative(root, p));
  }
  return out;
}

function run(cmd, args, parse) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-20000);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, ...parse(tail) }));
  });
}

function countNode(out) {
  const num = (label) => Number((out.match(new RegExp(`^\\S*\\s*${label} (\\d+)\\s*$`, 'm')) ?? [])[1] ?? 0);
  return { passed: num('pass'), failed: num('fail') + num('cancelled') };
}

function countPlaywright(out) {
  const num = (label) => Number((out.match(new RegExp(`(\\d+) ${label}`)) ?? [])[1] ?? 0);
  return { passed: num('passed'), failed: num('failed') + num('interrupted') };
}

let passed = 0;
let failed = 0;
let exit = 0;
for (const tier of tiers) {
  let result;
  if (tier === 'e2e') {
    if (!existsSync(join(root, 'playwright.config.ts'))) continue;
    result = await run('npx', ['playwright', 'test'], countPlaywright);
  } else {
    const files = findTests(join(root, 'test', tier));
    if (files.length === 0) continue;
    // Integration suites each start their own registries: keep two at a time on a 2-core machine.
    const concurrency = tier === 'unit' ? '4' : '2';
    result = await run(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files],
      countNode,
    );
  }
  passed += result.passed;
  failed += result.failed;
  if (result.code !== 0) {
    exit = 1;
    if (result.failed === 0) failed += 1; // a runner that died without counting still failed
  }
}
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(exit);
