// curl baselines: what the wire (loopback, or the modelled WAN link) carries with no tool's work on top.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPONENT_REPOSITORY, RELEASE_REPOSITORY, type FixtureRelease } from '../test/support/release';
import { skopeo, type TestWorld } from '../test/support/world';
import { exec } from './runs';

/** The source's bearer token for pulling both release repositories, from the harness issuer (as quay.io hands one out): curl does not do the token dance itself. */
export async function sourceToken(world: TestWorld): Promise<string> {
  const url = new URL(world.source.realm);
  url.searchParams.set('service', world.source.service);
  url.searchParams.append('scope', `repository:${RELEASE_REPOSITORY}:pull`);
  url.searchParams.append('scope', `repository:${COMPONENT_REPOSITORY}:pull`);
  const out = await exec('curl', ['-sS', '--fail', '--cacert', world.ca.certPath, '-u', `${world.source.username}:${world.source.password}`, url.href]);
  const json = JSON.parse(out) as { token?: string; access_token?: string };
  const token = json.token ?? json.access_token;
  if (!token) throw new Error('the token issuer gave no token');
  return token;
}

export interface CurlBlobsOptions {
  /** HOST:PORT to fetch from: the source, or a link in front of it. */
  host: string;
  atOnce: number;
  /**
   * One connection per transfer (HTTP/1.1), as Ferry's client does. Otherwise curl multiplexes every
   * transfer over one HTTP/2 connection, which the registry offers over TLS.
   */
  http1?: boolean;
  /** Names the curl config file, so two baselines do not share one. */
  name: string;
}

/** Every unique blob of the release once, with curl, `atOnce` transfers at a time, to /dev/null; checks the byte count. */
export async function curlBlobs(world: TestWorld, work: string, rel: FixtureRelease, opts: CurlBlobsOptions): Promise<() => Promise<void>> {
  const releaseManifest = JSON.parse((await skopeo(world, ['inspect', '--raw', `docker://${rel.pullspec}`])).stdout) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const inRelease = new Set([releaseManifest.config.digest, ...releaseManifest.layers.map((l) => l.digest)]);
  const config = join(work, `curl-blobs-${opts.name}.cfg`);
  const lines = [...rel.blobs.keys()].map((d) => `url = "https://${opts.host}/v2/${inRelease.has(d) ? RELEASE_REPOSITORY : COMPONENT_REPOSITORY}/blobs/${d}"\noutput = "/dev/null"\n`);
  await writeFile(config, lines.join(''));
  const token = await sourceToken(world);
  const expected = [...rel.blobs.values()].reduce((a, b) => a + b, 0);
  const http = opts.http1 ? ['--http1.1'] : [];
  return async () => {
    const out = await exec('curl', ['-sS', '--fail', ...http, '--parallel', '--parallel-max', String(opts.atOnce), '--cacert', world.ca.certPath, '-H', `Authorization: Bearer ${token}`, '-w', '%{size_download}\n', '-K', config]);
    const got = out.trim().split('\n').reduce((n, s) => n + Number(s), 0);
    if (got !== expected) throw new Error(`curl fetched ${got} bytes, the release's unique blobs are ${expected}`);
  };
}
