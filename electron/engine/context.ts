import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors';
import type { ProgressListener } from '../../shared/progress';
import { parseReference, type ImageReference } from '../../shared/reference';
import { createLimiter, type Limiter } from './copy/limit';
import { TokenCache } from './registry/auth';
import { RegistryClient, DEFAULT_UPLOAD, type UploadTuning } from './registry/client';
import { authFilePaths, CredentialStore, type InlineAuth } from './registry/credentials';
import { RegistryTransport } from './registry/http';
import { proxyConfig, type ProxyConfig } from './net/proxy';
import { secureContextFor, TrustStore } from './registry/tls';

/**
 * How every engine job reaches registries. The CLI, the worker and the desktop app build
 * EngineOptions from their own inputs and get one EngineContext: shared registry clients (one
 * connection pool and token cache per registry), credentials, trust, the transfer limiter and the
 * knowledge of which repositories hold which blobs (for cross-repository mounts).
 */
export interface SourceMirror {
  /** `HOST[:PORT][/PATH]`: references under it... */
  from: string;
  /** ...are fetched from here instead (same rest of the path). */
  to: string;
}

export interface EngineOptions {
  authfile?: string;
  /** auth.json documents held in memory (the app's pull secret, typed credentials), consulted before any auth file. */
  inlineAuths?: InlineAuth[];
  caFiles: string[];
  /** CAs (PEM) held in memory, trusted like --ca-file. */
  caPems?: string[];
  certDir?: string;
  /** `--proxy URL`: the proxy for every connection, instead of HTTPS_PROXY/HTTP_PROXY (NO_PROXY still applies). */
  proxy?: string;
  sourceMirrors: SourceMirror[];
  /** Concurrent blob transfers. */
  parallel: number;
  signal?: AbortSignal;
  /** Awaited before each limited task (blob, image check): where a paused job waits. */
  checkpoint?: () => Promise<void>;
  onProgress?: ProgressListener;
  /** Upload thresholds; the defaults suit real registries (tests lower them to exercise chunking). */
  upload?: Partial<UploadTuning>;
}

/** `FROM=TO` as given to --source-mirror. The one parser for it. */
export function parseSourceMirror(input: string): SourceMirror {
  const eq = input.indexOf('=');
  const from = eq < 0 ? '' : input.slice(0, eq).trim().replace(/\/+$/, '');
  const to = eq < 0 ? '' : input.slice(eq + 1).trim().replace(/\/+$/, '');
  const valid = (s: string) => {
    try {
      return s !== '' && parseReference(`${s}/x`).registry === s.split('/')[0];
    } catch {
      return false;
    }
  };
  if (!valid(from) || !valid(to)) {
    throw new FerryError('USAGE', `--source-mirror "${input}" is not FROM=TO.`, {
      hint: 'Give two registry locations, e.g. --source-mirror quay.io/openshift-release-dev=mirror.local:5000/ocp (FROM must name a host).',
    });
  }
  return { from, to };
}

/**
 * Concurrent blob transfers when none is asked for. Over the bench's modelled WAN (issue 16), mirror to
 * disk reached 0.17 and 0.10 of the link with 4 and 0.24 and 0.25 with 8, on a loaded 2-core machine; once
 * the model's proxy shared the link fairly, alternating runs gave medians of 0.39 and 0.27 with 8 against
 * 0.36 and 0.37 with 16 (16 ahead in 3 of 3 runs on the 40 ms profile, where half the blobs are configs
 * of a few hundred bytes that hold a slot for a round trip each). Peak RSS stays far from 300 MB at 16.
 */
export const DEFAULT_PARALLEL = 16;

/**
 * A registry that answers within NEAR_ROUND_TRIP_MS is near (loopback, the same LAN): one TCP connection to it
 * is not held back by its window, so more connections move no more bytes, only cost CPU (more streams in
 * flight, more garbage). Blob transfers from near registries are bounded to NEAR_PARALLEL. On the bench's
 * loopback release (2 cores shared with the registry) mirror to disk took 2.69 s with 4 and no head start
 * against 2.96 s with 16 and one, 3.20 against 3.72 s of CPU; 8 took 2.84 s. The WAN profiles' round trips
 * are 30 and 80 ms: they keep --parallel.
 */
export const NEAR_ROUND_TRIP_MS = 5;
export const NEAR_PARALLEL = 4;

/** The common CLI options (or any caller's equivalents) as EngineOptions. */
export function engineOptionsFrom(input: {
  authfile?: string;
  caFile?: string[];
  certDir?: string;
  proxy?: string;
  sourceMirror?: string[];
  parallel?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}): EngineOptions {
  return {
    ...(input.authfile ? { authfile: input.authfile } : {}),
    caFiles: input.caFile ?? [],
    ...(input.certDir ? { certDir: input.certDir } : {}),
    ...(input.proxy ? { proxy: input.proxy } : {}),
    sourceMirrors: (input.sourceMirror ?? []).map(parseSourceMirror),
    parallel: input.parallel ?? DEFAULT_PARALLEL,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  };
}

/** Where a reference's content is fetched from: the longest matching --source-mirror, else itself. */
export function sourceLocation(ref: ImageReference, mirrors: SourceMirror[]): ImageReference {
  const name = `${ref.registry}/${ref.repository}`;
  let best: SourceMirror | undefined;
  for (const m of mirrors) {
    if ((name === m.from || name.startsWith(`${m.from}/`)) && (!best || m.from.length > best.from.length)) best = m;
  }
  if (!best) return ref;
  const moved = parseReference(`${best.to}${name.slice(best.from.length)}`);
  return { ...ref, registry: moved.registry, repository: moved.repository };
}

/** Which repositories of a registry are known to hold a blob: candidates for a cross-repository mount. */
class BlobLocations {
  private readonly byKey = new Map<string, Set<string>>();

  add(registry: string, repository: string, digest: string): void {
    const key = `${registry} ${digest}`;
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(repository);
  }

  /** A repository of `registry` other than `except` known to hold `digest`. */
  find(registry: string, digest: string, except: string): string | undefined {
    for (const repo of this.byKey.get(`${registry} ${digest}`) ?? []) if (repo !== except) return repo;
    return undefined;
  }
}

export interface EngineContext {
  readonly options: EngineOptions;
  readonly signal: AbortSignal | undefined;
  /** Bounds concurrent blob transfers to options.parallel across every job using this context. */
  readonly limit: Limiter;
  /** Bounds the small requests of a copy (blob checks, manifests) across every job: see `checksFor`. */
  readonly checks: Limiter;
  readonly blobLocations: BlobLocations;
  /** TLS trust and proxy settings, for connections outside the registry client (net/connections.ts dispatcherFor). */
  readonly trust: TrustStore;
  readonly proxy: ProxyConfig;
  registry(host: string): RegistryClient;
  /**
   * Blob transfers at once worth running against these registries: --parallel, or NEAR_PARALLEL when every one
   * of them has answered as near and sent no GET elsewhere. Asked once their first answers are in (a plan read).
   */
  parallelFor(hosts: Iterable<string>): number;
  /** Where to fetch a source reference from (after --source-mirror). */
  resolveSource(ref: ImageReference): ImageReference;
  progress: ProgressListener;
  /**
   * A private directory (mode 0700, under the system temp directory) for files a job makes and uses while the
   * context lives, e.g. a filtered catalog's layer: made on first use, removed with everything in it by close().
   */
  scratchDir(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Small requests in flight at once for `parallel` transfers. A mirror that already holds a transfer
 * answers its push with nothing but HEADs and manifest writes: with a round trip each, their number in
 * flight, not bandwidth, sets how long that takes.
 */
function checksFor(parallel: number): number {
  // 16 at most: with the default --parallel 16 that is 32 connections to one registry (public ones hand
  // blob bytes to a CDN); more adds little once HEADs are no longer one round trip each in a row.
  return Math.min(4 * parallel, 16);
}

function checkpointed(limit: Limiter, checkpoint: () => Promise<void>): Limiter {
  return (task) =>
    limit(async () => {
      await checkpoint();
      return task();
    });
}

/** Reads credentials and CA files now, so bad input fails before any transfer starts. */
export async function createEngineContext(options: EngineOptions): Promise<EngineContext> {
  const [credentials, trust] = await Promise.all([
    CredentialStore.load(authFilePaths(options.authfile), options.inlineAuths),
    TrustStore.load({ caFiles: options.caFiles, ...(options.caPems ? { caPems: options.caPems } : {}), ...(options.certDir ? { certDir: options.certDir } : {}) }),
  ]);
  const proxy = proxyConfig({ proxy: options.proxy });
  const tuning: UploadTuning = { ...DEFAULT_UPLOAD, ...options.upload };
  const tokens = new TokenCache();
  const transports = new Map<string, RegistryTransport>();
  const clients = new Map<string, RegistryClient>();
  const limiter = (n: number) => (options.checkpoint ? checkpointed(createLimiter(n), options.checkpoint) : createLimiter(n));
  let scratch: Promise<string> | undefined;
  // Every request and blob in flight listens on the caller's one signal: dozens of listeners are the design, not a leak.
  if (options.signal) setMaxListeners(0, options.signal);
  return {
    options,
    signal: options.signal,
    limit: limiter(options.parallel),
    checks: limiter(checksFor(options.parallel)),
    blobLocations: new BlobLocations(),
    trust,
    proxy,
    registry(host: string): RegistryClient {
      let client = clients.get(host);
      if (!client) {
        const transport = new RegistryTransport(host, {
          trust: trust.forHost(host),
          proxy,
          proxyTrust: (hostPort) => secureContextFor(trust.forHost(hostPort)),
          // Room for every parallel transfer plus the checks and manifests beside them, but bounded.
          connections: options.parallel + checksFor(options.parallel),
          credentials: (repository) => credentials.lookup(host, repository ?? ''),
          tokenCache: tokens,
        });
        client = new RegistryClient(host, transport, tuning);
        transports.set(host, transport);
        clients.set(host, client);
      }
      return client;
    },
    parallelFor(hosts: Iterable<string>): number {
      const links = [...new Set(hosts)].map((h) => clients.get(h)?.link());
      const near = links.length > 0 && links.every((l) => l !== undefined && l.roundTripMs < NEAR_ROUND_TRIP_MS && !l.redirected);
      return near ? Math.min(options.parallel, NEAR_PARALLEL) : options.parallel;
    },
    resolveSource: (ref) => sourceLocation(ref, options.sourceMirrors),
    progress: options.onProgress ?? (() => undefined),
    scratchDir: () => (scratch ??= mkdtemp(join(tmpdir(), 'ferry-scratch-'))),
    async close() {
      try {
        await Promise.all([...transports.values()].map((t) => t.close()));
      } finally {
        const dir = await scratch?.catch(() => undefined);
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * How an operation gets an engine context when (and only if) it needs one: the CLI opens one from its
 * flags, the worker one with the job's credentials, signal and pause point. Closed when `work` ends.
 */
export type OpenEngine = <T>(work: (ctx: EngineContext) => Promise<T>) => Promise<T>;

export function engineOpener(options: EngineOptions): OpenEngine {
  return async (work) => {
    const ctx = await createEngineContext(options);
    try {
      return await work(ctx);
    } finally {
      await ctx.close();
    }
  };
}
