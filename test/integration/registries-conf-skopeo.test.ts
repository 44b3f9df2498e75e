import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The generated registries.conf, used by real skopeo, pulls a quay.io component by digest from the
 * test mirror; `ferry resolve` predicts it; the same reference by tag is not redirected.
 *
 * Everything runs inside a fresh network namespace holding only loopback (`unshare -n`), so a
 * fallback to quay.io can never leave the machine: it fails there instead. The file has two roles:
 * as a test it starts itself again under `unshare -n` with FERRY_NETNS_SCENARIO=1; in that role it
 * brings `lo` up, starts the test world, runs the scenario and prints what it observed as JSON for
 * the assertions below.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const self = fileURLToPath(import.meta.url);
const NAMESPACE = 'ocp4';
const COMPONENT = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

interface Observed {
  mirrorHost: string;
  digest: string;
  registriesConf: string;
  skopeoByDigest: Outcome;
  skopeoByTag: Outcome;
  resolveByDigest: Outcome;
  resolveByTag: Outcome;
  /** What the mirror logged while skopeo ran each pull. */
  mirrorLogByDigest: string;
  mirrorLogByTag: string;
}

function outcome(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

function ferry(...args: string[]): Promise<Outcome> {
  return outcome(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args]);
}

async function scenario(): Promise<Observed> {
  const { startTestWorld, skopeo } = await import('../support/world');
  const { pushFixtures } = await import('../support/images');
  const lo = spawnSync('ip', ['link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (lo.status !== 0) throw new Error(`ip link set lo up failed: ${lo.stderr}`);

  const world = await startTestWorld();
  try {
    const mirrorHost = world.mirror.host;
    const fixtures = await pushFixtures(world, 'mirror');
    // The component lands where `ferry push` puts components: NAMESPACE/ocp-v4.0-art-dev, same digest.
    const pushed = `${mirrorHost}/${NAMESPACE}/ocp-v4.0-art-dev:v1`;
    await skopeo(world, ['copy', '--quiet', '--preserve-digests', `docker://${fixtures.schema2.ref}`, `docker://${pushed}`]);
    const digest = fixtures.schema2.digest;

    const confPath = join(world.dir, 'registries.conf');
    const gen = await ferry('config', 'registries-conf', '--release', 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', '--mirror', `${mirrorHost}/${NAMESPACE}`, '--out', confPath);
    if (gen.code !== 0) throw new Error(`ferry config registries-conf failed: ${gen.stderr}`);

    const skopeoWithConf = (ref: string) =>
      outcome('skopeo', [
        '--registries-conf', confPath, '--policy', join(world.dir, 'policy.json'),
        'inspect', '--no-tags', '--cert-dir', world.caDir, '--authfile', world.authfile, `docker://${ref}`,
      ]);
    const byDigestRef = `${COMPONENT}@${digest}`;
    // The mirror holds this tag too: only the mirror-by-digest-only rule keeps skopeo from using it.
    const byTagRef = `${COMPONENT}:v1`;
    const logDuring = async (pull: () => Promise<Outcome>): Promise<[Outcome, string]> => {
      const before = (await readFile(world.mirror.logFile, 'utf8')).length;
      const result = await pull();
      return [result, (await readFile(world.mirror.logFile, 'utf8')).slice(before)];
    };
    const [skopeoByDigest, mirrorLogByDigest] = await logDuring(() => skopeoWithConf(byDigestRef));
    const [skopeoByTag, mirrorLogByTag] = await logDuring(() => skopeoWithConf(byTagRef));
    return {
      mirrorHost,
      digest,
      registriesConf: await readFile(confPath, 'utf8'),
      skopeoByDigest,
      skopeoByTag,
      resolveByDigest: await ferry('resolve', byDigestRef, '--registries-conf', confPath, '--json'),
      resolveByTag: await ferry('resolve', byTagRef, '--registries-conf', confPath, '--json'),
      mirrorLogByDigest,
      mirrorLogByTag,
    };
  } finally {
    await world.stop();
  }
}

function namespacesUnavailable(): string | undefined {
  for (const tool of ['skopeo', 'docker-registry', 'ip', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync('unshare', ['-n', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) return `network namespaces are unavailable here (unshare -n: ${(probe.stderr || probe.error?.message || '').trim()})`;
  return undefined;
}

if (process.env.FERRY_NETNS_SCENARIO === '1') {
  // Child role, inside the namespace: report and exit; assertions happen in the parent.
  const out = process.env.FERRY_NETNS_OUT!;
  scenario().then(
    async (observed) => {
      await writeFile(out, JSON.stringify(observed));
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`scenario failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
} else {
  const skip = namespacesUnavailable();
  test('skopeo pulls a quay.io component by digest from the mirror through the generated registries.conf; by tag it is not redirected', { skip, timeout: 300_000 }, async (t) => {
    const { tempDir } = await import('../support/tmp');
    const tmp = tempDir('netns-skopeo');
    t.after(() => tmp.cleanup());
    const outFile = join(tmp.path, 'observed.json');
    const child = await outcome('unshare', ['-n', '--', process.execPath, '--import', 'tsx', self], {
      ...process.env,
      FERRY_NETNS_SCENARIO: '1',
      FERRY_NETNS_OUT: outFile,
    });
    assert.equal(child.code, 0, `scenario in the namespace failed:\n${child.stderr}`);
    const o = JSON.parse(await readFile(outFile, 'utf8')) as Observed;
    const mirrorRepo = `${o.mirrorHost}/${NAMESPACE}/ocp-v4.0-art-dev`;

    // By digest: skopeo succeeds, and what it read is the image in the mirror. (--no-tags: listing tags
    // always goes to the logical repository on quay.io, mirrors or not.)
    assert.equal(o.skopeoByDigest.code, 0, o.skopeoByDigest.stderr);
    const inspected = JSON.parse(o.skopeoByDigest.stdout) as { Digest: string; Labels: Record<string, string> };
    assert.equal(inspected.Digest, o.digest);
    assert.equal(inspected.Labels.fixture, 'schema2');
    assert.match(o.mirrorLogByDigest, new RegExp(`/v2/${NAMESPACE}/ocp-v4\\.0-art-dev/manifests/${o.digest}`));
    // ferry resolve predicted exactly that first location.
    assert.equal(o.resolveByDigest.code, 0, o.resolveByDigest.stderr);
    const rd = JSON.parse(o.resolveByDigest.stdout) as { attempts: Array<{ reference: string; kind: string }> };
    assert.equal(rd.attempts[0]!.reference, `${mirrorRepo}@${o.digest}`);
    assert.equal(rd.attempts[0]!.kind, 'mirror');
    assert.equal(rd.attempts.at(-1)!.reference, `${COMPONENT}@${o.digest}`);

    // By tag: not redirected. skopeo went to quay.io and could not reach it; ferry says the source only.
    assert.notEqual(o.skopeoByTag.code, 0, 'the tag pull must not be served by the mirror');
    assert.match(o.skopeoByTag.stderr, /quay\.io/);
    assert.doesNotMatch(o.mirrorLogByTag, /\/v2\//, 'skopeo did not ask the mirror at all');
    const rt = JSON.parse(o.resolveByTag.stdout) as { attempts: Array<{ reference: string; kind: string }>; skipped: Array<{ location: string }> };
    assert.deepEqual(
      rt.attempts.map((a) => [a.reference, a.kind]),
      [[`${COMPONENT}:v1`, 'source']],
    );
    assert.deepEqual(
      rt.skipped.map((s) => s.location),
      [mirrorRepo],
    );

    // The generated file maps the component repository to the mirror, digest-only.
    assert.match(o.registriesConf, new RegExp(`location = "${COMPONENT.replace(/\./g, '\\.')}"\\n  mirror-by-digest-only = true\\n\\n  \\[\\[registry\\.mirror\\]\\]\\n    location = "${mirrorRepo.replace(/\./g, '\\.')}"`));
  });
}
