import { FerryError } from '../../shared/errors';
import type { ProgressListener } from '../../shared/progress';
import { parseSize } from '../../shared/format';
import { createEngineContext, engineOptionsFrom, type EngineOptions } from '../engine/context';
import { DEFAULT_VOLUME_SIZE, validateVolumeSize } from '../engine/media/layout';
import { authJsonOf, type InlineAuth } from '../engine/registry/credentials';
import { signatureOptionsFrom, type SignatureOptions } from '../engine/release-signatures/release-signatures';
import type { MirrorRequest } from '../engine/transfer/mirror-plan';
import { checkedImageSet } from './imageset-claim';
import { fetchUpdateGraph, type ServiceConnection } from '../engine/update-graph/fetch';
import type { GraphDataRequest } from '../engine/update-graph/graph-data';
import type { CatalogRequest } from '../../shared/transfer/manifest';

/**
 * What the host (`ferry serve --authfile/--ca-file/--cert-dir/--source-mirror`, or the desktop app's
 * settings) applies to every job and handler. Paths and mappings only, and the proxy URL, whose
 * credentials (if any) never leave this process tree: messages name the proxy as HOST:PORT only.
 */
export interface EngineDefaults {
  authfile?: string;
  caFiles: string[];
  certDir?: string;
  /** `--proxy URL` (may carry user:password); unset: HTTPS_PROXY/HTTP_PROXY/NO_PROXY of the environment. */
  proxy?: string;
  /** `FROM=TO`, as --source-mirror takes them. */
  sourceMirrors: string[];
  /** Concurrent blob transfers when a request names none. */
  parallel?: number;
  /** Update service graph endpoint (OSUS) instead of the public one. */
  graphUrl?: string;
  /** The update service's graph-data archive a `graph: true` export builds its image from, instead of the public one (--graph-data-url). */
  graphDataUrl?: string;
  /** Release signature stores instead of the public ones (--signature-store). */
  signatureStores?: string[];
  /** Keyring file release signatures must verify with instead of Red Hat's (--signature-keyring). */
  signatureKeyring?: string;
}

export const NO_ENGINE_DEFAULTS: EngineDefaults = { caFiles: [], sourceMirrors: [] };

/** The host's defaults from the common options (addCommonOptions) plus --graph-url and --graph-data-url: one mapping for serve and the desktop app. */
export function engineDefaultsFrom(opts: {
  authfile?: string;
  caFile: string[];
  certDir?: string;
  proxy?: string;
  sourceMirror: string[];
  parallel?: number;
  graphUrl?: string;
  graphDataUrl?: string;
  signatureStore?: string[];
  signatureKeyring?: string;
}): EngineDefaults {
  return {
    ...(opts.authfile ? { authfile: opts.authfile } : {}),
    caFiles: opts.caFile,
    ...(opts.certDir ? { certDir: opts.certDir } : {}),
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    sourceMirrors: opts.sourceMirror,
    ...(opts.parallel ? { parallel: opts.parallel } : {}),
    ...(opts.graphUrl ? { graphUrl: opts.graphUrl } : {}),
    ...(opts.graphDataUrl ? { graphDataUrl: opts.graphDataUrl } : {}),
    ...(opts.signatureStore?.length ? { signatureStores: opts.signatureStore } : {}),
    ...(opts.signatureKeyring ? { signatureKeyring: opts.signatureKeyring } : {}),
  };
}

/** One request's registry settings, secrets already looked up (they stay in this process's memory). */
export interface Connection {
  /** The pull secret's text. */
  pullSecret?: string;
  credentials?: ReadonlyArray<{ registry: string; username: string; password?: string | undefined }>;
  caPems?: readonly string[];
  parallel?: number | undefined;
}

/**
 * EngineOptions for one job or handler call: the host defaults plus the request's own credentials and
 * CAs, handed to the engine in memory (never through a file). Typed credentials win over the pull
 * secret, which wins over the default auth file.
 */
export function connectionEngineOptions(
  defaults: EngineDefaults,
  conn: Connection,
  extra: { signal?: AbortSignal; onProgress?: ProgressListener; checkpoint?: () => Promise<void> } = {},
): EngineOptions {
  const typed = (conn.credentials ?? []).map((c) => {
    if (c.password === undefined) {
      throw new FerryError('INVALID_INPUT', `The credentials for ${c.registry} have no password.`, { hint: 'Save the password again (Target registry or Credentials step).' });
    }
    return { registry: c.registry, username: c.username, password: c.password };
  });
  const inlineAuths: InlineAuth[] = [
    ...(typed.length > 0 ? [{ source: 'the credentials given to this job', text: authJsonOf(typed) }] : []),
    ...(conn.pullSecret !== undefined ? [{ source: 'the saved pull secret', text: conn.pullSecret }] : []),
  ];
  const base = engineOptionsFrom({
    ...(defaults.authfile ? { authfile: defaults.authfile } : {}),
    caFile: defaults.caFiles,
    ...(defaults.certDir ? { certDir: defaults.certDir } : {}),
    ...(defaults.proxy ? { proxy: defaults.proxy } : {}),
    sourceMirror: defaults.sourceMirrors,
    ...((conn.parallel ?? defaults.parallel) ? { parallel: conn.parallel ?? defaults.parallel } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
  });
  return {
    ...base,
    ...(inlineAuths.length > 0 ? { inlineAuths } : {}),
    ...(conn.caPems && conn.caPems.length > 0 ? { caPems: [...conn.caPems] } : {}),
    ...(extra.checkpoint ? { checkpoint: extra.checkpoint } : {}),
  };
}

/** A request's volume size ("4000MiB", "2G"); the media default when absent. */
export function volumeSizeOf(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_VOLUME_SIZE;
  let size: number;
  try {
    size = parseSize(text);
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `Volume size: ${(e as Error).message}.`, { hint: 'Give a size such as 4000MiB (safe on FAT32), 2G or 512M.' });
  }
  validateVolumeSize(size);
  return size;
}

/** A wrong --source-mirror or an unreadable --ca-file/--authfile stops the host at start, not at its first job. */
export async function checkEngineDefaults(defaults: EngineDefaults): Promise<void> {
  const ctx = await createEngineContext(connectionEngineOptions(defaults, {}));
  await ctx.close();
  await releaseSignatureOptions(defaults);
}

/** The host's release signature settings for a mirror to disk (the public stores and Red Hat's keys unless set). */
export function releaseSignatureOptions(defaults: EngineDefaults): Promise<SignatureOptions> {
  return signatureOptionsFrom({
    ...(defaults.signatureStores ? { stores: defaults.signatureStores } : {}),
    ...(defaults.signatureKeyring ? { keyringFile: defaults.signatureKeyring } : {}),
  });
}

/** The trust and proxy settings the host reaches the update service with (its graph, its graph data), as registries are reached. */
export function serviceConnection(defaults: EngineDefaults): ServiceConnection {
  return { caFiles: defaults.caFiles, ...(defaults.certDir ? { certDir: defaults.certDir } : {}), ...(defaults.proxy ? { proxy: defaults.proxy } : {}) };
}

/** A channel's update graph with the host's trust, proxy and --graph-url. */
export function graphFor(defaults: EngineDefaults, channel: string, arch: string) {
  return fetchUpdateGraph({ channel, arch, ...(defaults.graphUrl ? { url: defaults.graphUrl } : {}), ...serviceConnection(defaults) });
}

/** Where a `graph: true` export fetches the update service's graph data: --graph-data-url, else the public service's (graph-data.ts), as `ferry mirror` does. */
export function graphDataRequest(defaults: EngineDefaults): GraphDataRequest {
  return { ...(defaults.graphDataUrl ? { url: defaults.graphDataUrl } : {}), ...serviceConnection(defaults) };
}

/**
 * The app's export choices as the one mirror request: the plan step and the mirror job both plan from this,
 * so the plan the operator saw is the plan the job writes (signatures fetched for a release, a rerun into a
 * partial transfer planning its failed images last).
 */
export async function exportMirrorRequest(
  choices: { release?: string | undefined; releases?: string[] | undefined; images: string[]; withRegistry?: boolean | undefined; registryPlatform?: string | undefined; catalogs?: CatalogRequest[] | undefined; since?: string | undefined; failFast?: boolean | undefined; graph?: boolean | undefined; volumeSize?: string | undefined; imageSet?: { name: string; text: string } | undefined; toDir: string },
  defaults: EngineDefaults,
): Promise<MirrorRequest & { toDir: string }> {
  // The page's word that the choices are still the imported file's is checked before transfer.json records it.
  const imageSet = choices.imageSet
    ? await checkedImageSet(choices.imageSet, { ...choices, volumeBytes: volumeSizeOf(choices.volumeSize) }, async (channel, arch) => (await graphFor(defaults, channel, arch)).graph)
    : undefined;
  return {
    ...(choices.release ? { release: choices.release, signatures: await releaseSignatureOptions(defaults) } : {}),
    ...(choices.release && choices.releases?.length ? { releases: choices.releases } : {}),
    images: choices.images,
    ...(choices.withRegistry ? { withRegistry: true as const } : {}),
    ...(choices.registryPlatform ? { registryPlatform: choices.registryPlatform } : {}),
    ...(choices.catalogs?.length ? { catalogs: choices.catalogs } : {}),
    ...(choices.since ? { since: choices.since } : {}),
    ...(choices.failFast ? { failFast: true } : {}),
    ...(choices.graph ? { graph: graphDataRequest(defaults) } : {}),
    ...(imageSet ? { imageSet } : {}),
    toDir: choices.toDir,
  };
}
