import { fetchUpdateGraph } from '../engine/update-graph/fetch';
import type { GraphDataRequest } from '../engine/update-graph/graph-data';
import type { GlobalOptions } from './program';

/** The update graph of a channel with the command's trust and proxy flags (`--graph-url`, else the public service). */
export function fetchGraphFor(opts: GlobalOptions & { graphUrl?: string }, channel: string, arch: string): ReturnType<typeof fetchUpdateGraph> {
  return fetchUpdateGraph({
    channel,
    arch,
    ...(opts.graphUrl !== undefined ? { url: opts.graphUrl } : {}),
    caFiles: opts.caFile,
    ...(opts.certDir !== undefined ? { certDir: opts.certDir } : {}),
    ...(opts.proxy !== undefined ? { proxy: opts.proxy } : {}),
  });
}

/** Where and how to fetch the update service's graph data (`--graph-data-url`, else the public service's), with the same flags. */
export function graphDataFor(opts: GlobalOptions & { graphDataUrl?: string }): GraphDataRequest {
  return {
    ...(opts.graphDataUrl !== undefined ? { url: opts.graphDataUrl } : {}),
    caFiles: opts.caFile,
    ...(opts.certDir !== undefined ? { certDir: opts.certDir } : {}),
    ...(opts.proxy !== undefined ? { proxy: opts.proxy } : {}),
  };
}
