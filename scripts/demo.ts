// The main job end to end against throwaway local registries (no display needed):
// a synthetic OpenShift release in a "source" registry (bearer-token auth, like quay.io) is mirrored
// to removable media and signed, the media are verified against the signer's key, pushed into a "mirror" registry (htpasswd), checked in
// the mirror, and the cluster configuration is printed. Every step is the real `ferry` CLI.
import { join } from 'node:path';
import { ferry, worldFlags } from '../test/support/cli';
import { pushRelease } from '../test/support/release';
import { tempDir } from '../test/support/tmp';
import { startTestWorld } from '../test/support/world';

async function step(title: string, args: string[]): Promise<void> {
  process.stdout.write(`\n\x1b[1m$ ferry ${args.join(' ')}\x1b[0m   # ${title}\n`);
  const r = await ferry(args);
  process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.code !== 0) throw new Error(`step failed (exit ${r.code}): ${title}`);
}

async function main(): Promise<void> {
  process.stdout.write('Starting throwaway registries on 127.0.0.1 (source with token auth, mirror with htpasswd, TLS from a throwaway CA)…\n');
  const world = await startTestWorld();
  const work = tempDir('ferry-demo-');
  try {
    process.stdout.write('Pushing a synthetic OpenShift 4.15.3 release (25 components) into the source registry with skopeo…\n');
    await pushRelease(world, '4.15.3');
    const flags = worldFlags(world);
    const source = ['--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
    const release = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
    const usb = join(work.path, 'usb');
    const mirror = `${world.mirror.host}/ocp4`;
    await step('connected side: what is in the release', ['release', 'info', release, ...flags, ...source]);
    await step('connected side: plan and mirror configuration', ['mirror', '--release', release, '--to-dir', usb, '--mirror', mirror, '--dry-run', ...flags, ...source]);
    const key = join(work.path, 'site');
    await step('connected side: a signing key (PREFIX.pub travels separately from the media)', ['keys', 'generate', '--out', key]);
    await step('connected side: write and sign the removable media', ['mirror', '--release', release, '--to-dir', usb, '--volume-size', '64M', '--sign-key', `${key}.key`, ...flags, ...source]);
    const trust = ['--trust', `${key}.pub`];
    await step('disconnected side: check the media and who signed them', ['verify', '--dir', usb, ...trust]);
    await step('disconnected side: push into the mirror registry', ['push', '--from-dir', usb, '--to', mirror, ...trust, ...flags]);
    await step('disconnected side: every image in the mirror by digest', ['verify', '--dir', usb, '--against', mirror, ...trust, ...flags]);
    await step('cluster configuration: ImageDigestMirrorSet', ['config', 'idms', '--from-dir', usb, '--mirror', mirror]);
    await step('cluster configuration: install-config snippet', ['config', 'install-config', '--from-dir', usb, '--mirror', mirror, '--ca-file', world.ca.certPath]);
    process.stdout.write('\nDemo done. To use the same features in the UI: npm run serve (prints a URL for your browser).\n');
  } finally {
    await world.stop();
    await work.cleanup();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
