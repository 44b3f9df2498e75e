import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { createPki } from './pki';
import { run, type RunResult } from './processes';
import { startRegistry, type RegistryProcess } from './registry-process';
import { startTokenIssuer, type TokenIssuer, type TokenRequestLog } from './token-issuer';
import { tempDir } from './tmp';

export type { TokenRequestLog } from './token-issuer';

export interface RegistryEndpoint {
  host: string; // "127.0.0.1:PORT"
  url: string; // "https://127.0.0.1:PORT"
  dataDir: string; // filesystem driver rootdirectory
  logFile: string; // registry stdout+stderr, access log included
  username: string;
  password: string;
  /** Process id of the registry, so a test can check it is gone after stop(). */
  pid: number;
  /** The registry process itself: stop, start again, garbage-collect its storage. */
  process: RegistryProcess;
}

export interface TestWorld {
  dir: string;
  ca: { certPath: string; derPath: string; keyPath: string; certPem: string };
  /** Bearer-token auth through the harness issuer at `realm`. */
  source: RegistryEndpoint & { realm: string; service: string };
  /** htpasswd (bcrypt) auth. */
  mirror: RegistryEndpoint;
  /** containers auth.json with entries for both registries (mode 0600). */
  authfile: string;
  /** certs.d layout: `${certDir}/127.0.0.1:PORT/ca.crt` for both registries and the token issuer. */
  certDir: string;
  /**
   * A flat directory holding only `ca.crt`: what skopeo's --cert-dir / --src-cert-dir / --dest-cert-dir
   * expect (they take one registry's directory, not a certs.d tree). Valid for every host of the world.
   */
  caDir: string;
  tokenRequests(): TokenRequestLog[];
  stop(): Promise<void>;
}

export interface TestWorldOptions {
  /** Let anonymous clients pull from the source (the issuer grants pull only). Default false. */
  anonymousPull?: boolean;
  /** Lifetime of issued tokens; short values let tests exercise token renewal. Default 300. */
  tokenTtlSeconds?: number;
}

function secret(): string {
  // Distinctive prefix so a test can grep logs and outputs for leaks.
  return `pw-${randomBytes(12).toString('hex')}`;
}

export async function startTestWorld(opts: TestWorldOptions = {}): Promise<TestWorld> {
  const tmp = tempDir('world');
  const dir = tmp.path;
  const stoppers: Array<() => Promise<void>> = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.allSettled(stoppers.map((s) => s()));
      await tmp.cleanup();
    })();
    return stopped;
  };

  try {
    const pkiDir = join(dir, 'pki');
    await mkdir(pkiDir);
    const pki = await createPki(pkiDir);

    const sourceUser = { username: 'source-user', password: secret() };
    const mirrorUser = { username: 'mirror-user', password: secret() };
    const service = 'ferry-test-source';
    const issuerName = 'ferry-test-issuer';

    const issuer: TokenIssuer = await startTokenIssuer({
      pki,
      service,
      issuer: issuerName,
      users: new Map([[sourceUser.username, sourceUser.password]]),
      anonymousPull: opts.anonymousPull ?? false,
      ttlSeconds: opts.tokenTtlSeconds ?? 300,
    });
    stoppers.push(() => issuer.close());

    const htpasswd = join(dir, 'htpasswd');
    // Cost 4 (bcrypt's minimum): the registry checks the hash on every request, and tests make many.
    await writeFile(htpasswd, `${mirrorUser.username}:${bcrypt.hashSync(mirrorUser.password, 4)}\n`, { mode: 0o600 });

    const sourceDir = join(dir, 'source');
    const mirrorDir = join(dir, 'mirror');
    await Promise.all([mkdir(sourceDir), mkdir(mirrorDir)]);
    const started = await Promise.allSettled([
      startRegistry({
        dir: sourceDir,
        pki,
        auth: { token: { realm: issuer.realm, service, issuer: issuerName, rootcertbundle: pki.ca.certPath } },
      }),
      startRegistry({ dir: mirrorDir, pki, auth: { htpasswd: { realm: 'ferry-test-mirror', path: htpasswd } } }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') stoppers.push(s.value.stop);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [src, mir] = started.map((s) => (s as PromiseFulfilledResult<RegistryProcess>).value) as [RegistryProcess, RegistryProcess];

    const endpoint = (p: RegistryProcess, user: { username: string; password: string }): RegistryEndpoint => ({
      host: p.host,
      url: p.url,
      dataDir: p.dataDir,
      logFile: p.logFile,
      pid: p.pid,
      process: p,
      ...user,
    });

    const authfile = join(dir, 'auth.json');
    const basic = (u: { username: string; password: string }) => Buffer.from(`${u.username}:${u.password}`).toString('base64');
    await writeFile(
      authfile,
      JSON.stringify({ auths: { [src.host]: { auth: basic(sourceUser) }, [mir.host]: { auth: basic(mirrorUser) } } }, null, 2),
      { mode: 0o600 },
    );

    const certDir = join(dir, 'certs.d');
    const caDir = join(dir, 'ca');
    for (const d of [caDir, ...[src.host, mir.host, issuer.host].map((h) => join(certDir, h))]) {
      await mkdir(d, { recursive: true });
      await copyFile(pki.ca.certPath, join(d, 'ca.crt'));
    }
    await writeFile(join(dir, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));

    return {
      dir,
      ca: pki.ca,
      source: { ...endpoint(src, sourceUser), realm: issuer.realm, service },
      mirror: endpoint(mir, mirrorUser),
      authfile,
      certDir,
      caDir,
      tokenRequests: () => issuer.requests(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The harness's auth file with the source's credentials also under the proxy's address. */
export async function authfileFor(world: TestWorld, host: string, path: string): Promise<string> {
  const auth = JSON.parse(await readFile(world.authfile, 'utf8')) as { auths: Record<string, unknown> };
  auth.auths[host] = auth.auths[world.source.host];
  await writeFile(path, JSON.stringify(auth), { mode: 0o600 });
  return path;
}

export function registryLog(ep: RegistryEndpoint): Promise<string> {
  return readFile(ep.logFile, 'utf8');
}

const AUTH_SUBCOMMANDS = new Set(['inspect', 'delete', 'list-tags', 'layers', 'login', 'logout']);
const TWO_SIDED_SUBCOMMANDS = new Set(['copy', 'sync']);

function withDefault(args: string[], flag: string, value: string): string[] {
  return args.some((a) => a === flag || a.startsWith(`${flag}=`)) ? [] : [flag, value];
}

/**
 * Runs the real skopeo against the world. After the subcommand (args[0]) it adds, unless the caller
 * already passed the same flag: `--authfile world.authfile` and, for inspect/delete/list-tags/layers,
 * `--cert-dir world.caDir`; for copy/sync, `--src-cert-dir world.caDir --dest-cert-dir world.caDir`.
 * A global `--policy` accepting anything is always set. Rejects on non-zero exit with skopeo's stderr.
 */
export function skopeo(world: TestWorld, args: string[]): Promise<RunResult> {
  const [sub, ...rest] = args;
  if (!sub) throw new Error('skopeo(): give a subcommand, e.g. ["inspect", "docker://..."]');
  const extra: string[] = [];
  if (AUTH_SUBCOMMANDS.has(sub) || TWO_SIDED_SUBCOMMANDS.has(sub)) extra.push(...withDefault(rest, '--authfile', world.authfile));
  if (AUTH_SUBCOMMANDS.has(sub) && sub !== 'logout') extra.push(...withDefault(rest, '--cert-dir', world.caDir));
  if (TWO_SIDED_SUBCOMMANDS.has(sub)) {
    extra.push(...withDefault(rest, '--src-cert-dir', world.caDir), ...withDefault(rest, '--dest-cert-dir', world.caDir));
  }
  return run('skopeo', ['--policy', join(world.dir, 'policy.json'), sub, ...extra, ...rest]);
}
