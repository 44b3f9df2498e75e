import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import type { TestPki } from './pki';
import { run, stopProcess, track, type RunResult } from './processes';

const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryProcess {
  host: string;
  url: string;
  dataDir: string;
  logFile: string;
  /** The distribution config the harness wrote: what `garbage-collect` reads too. */
  configPath: string;
  /** Of the running process (of the last one, once stopped). */
  readonly pid: number;
  stop(): Promise<void>;
  /** Serves again from the same config, data and port, after stop(). */
  start(): Promise<void>;
  /**
   * `docker-registry garbage-collect [flags] CONFIG` (e.g. `--delete-untagged`) on the stopped
   * registry's storage, as distribution requires (it is not safe while the registry serves).
   */
  garbageCollect(flags?: string[]): Promise<RunResult>;
}

export interface RegistryOptions {
  /** Directory for this registry's config, data and log. */
  dir: string;
  pki: TestPki;
  /** The `auth` section of the distribution config. */
  auth: Record<string, unknown>;
}

/** A port that was free a moment ago; the server's own bind is the real test, so callers retry. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the HTTP status of GET /v2/ over TLS verified against the CA, or undefined if not answering. */
function pingStatus(url: string, ca: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(`${url}/v2/`, { ca, method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(child: ChildProcess, url: string, ca: string, logFile: string): Promise<'ready' | 'port-taken'> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      if (/address already in use/.test(log)) return 'port-taken';
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}) before answering; log:\n${log}`);
    }
    const status = await pingStatus(url, ca);
    // Every world registry requires auth: a 200 here would mean the auth section was not applied.
    if (status === 401) return 'ready';
    if (status !== undefined) throw new Error(`docker-registry at ${url} answered GET /v2/ with ${status}, expected 401; see ${logFile}`);
    await sleep(30);
  }
  throw new Error(`docker-registry at ${url} did not answer within 15 s; see ${logFile}`);
}

export async function startRegistry(opts: RegistryOptions): Promise<RegistryProcess> {
  const dataDir = join(opts.dir, 'data');
  await mkdir(dataDir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const url = `https://${host}`;
    const config = {
      version: 0.1,
      log: { level: 'info', formatter: 'text', accesslog: { disabled: false } },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http: {
        addr: host,
        secret: randomBytes(16).toString('hex'),
        tls: { certificate: opts.pki.server.certPath, key: opts.pki.server.keyPath },
      },
      auth: opts.auth,
    };
    const configPath = join(opts.dir, 'config.yml');
    const logFile = join(opts.dir, 'registry.log');
    await writeFile(configPath, stringify(config));
    let child = await serve(configPath, logFile, 'w');
    const state = await waitReady(child, url, opts.pki.ca.certPem, logFile).catch(async (err: unknown) => {
      await stopProcess(child);
      throw err;
    });
    if (state === 'port-taken' && attempt < 5) continue;
    if (state === 'port-taken') throw new Error(`docker-registry could not find a free port after ${attempt} attempts`);
    const running = () => child.exitCode === null && child.signalCode === null;
    return {
      host,
      url,
      dataDir,
      logFile,
      configPath,
      get pid() {
        return child.pid!;
      },
      stop: () => stopProcess(child),
      async start() {
        if (running()) throw new Error(`docker-registry at ${host} is already running`);
        child = await serve(configPath, logFile, 'a');
        const again = await waitReady(child, url, opts.pki.ca.certPem, logFile).catch(async (err: unknown) => {
          await stopProcess(child);
          throw err;
        });
        if (again === 'port-taken') throw new Error(`docker-registry could not serve ${host} again: the port was taken meanwhile`);
      },
      garbageCollect(flags = []) {
        if (running()) throw new Error(`stop the registry at ${host} before garbage-collect`);
        return run(REGISTRY_BIN, ['garbage-collect', ...flags, configPath], { env: { PATH: process.env.PATH ?? '' } });
      },
    };
  }
}

async function serve(configPath: string, logFile: string, flags: 'w' | 'a'): Promise<ChildProcess> {
  const fd = openSync(logFile, flags);
  let child: ChildProcess;
  try {
    // A clean environment: REGISTRY_* variables in the caller's env would override the config file.
    child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '' } });
  } finally {
    closeSync(fd);
  }
  track(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child;
}
