import type { KeyObject } from 'node:crypto';
import type { EngineContext } from '../context';
import { signTransferWith, type SignResult } from '../signing/transfer-signature';
import { headStartFor, mirrorToDisk, type MirrorToDiskResult } from './mirror-to-disk';
import { planMirror, type MirrorPlan, type MirrorRequest } from './mirror-plan';
import { readSince } from './since';

/**
 * Mirror to disk as one use case: plan what was asked (mirror-plan.ts), write it to the transfer directory
 * (mirror-to-disk.ts), then sign transfer.json. `ferry mirror --to-dir` and the app's mirror job both run
 * this with the same options, so both plan, write and sign the same way; each only maps its own input
 * (flags, job parameters) onto it and prints or returns the outcome.
 */
export interface MirrorOptions {
  /** What to carry, and the transfer directory (where a rerun into a partial transfer plans its failed images last). */
  request: MirrorRequest & { toDir: string };
  volumeSize: number;
  /** Signs transfer.json once the writer has committed it (transfer-signature.ts). */
  signingKey?: KeyObject;
  /** Between planning and writing: a paused job waits here. */
  checkpoint?: () => Promise<void>;
}

export interface MirrorOutcome extends MirrorPlan {
  written: MirrorToDiskResult;
  signed?: SignResult;
}

export async function mirrorOperation(ctx: EngineContext, opts: MirrorOptions): Promise<MirrorOutcome> {
  const { request } = opts;
  // A delta: blobs the mirror already holds (per the receipt of its last push) are recorded, not written.
  const since = request.since ? await readSince(request.since) : undefined;
  // Blobs begin to download while the plan is read (a WAN round trip per manifest) and are written once it is
  // whole. Not across a checkpoint: a paused job would hold its read-ahead connections until a server drops them.
  const headStart = opts.checkpoint ? undefined : await headStartFor(ctx, request.toDir, since);
  try {
    const planned = await planMirror(ctx, { ...request, ...(headStart ? { onPlanned: (image) => headStart.offer(image) } : {}) });
    await opts.checkpoint?.();
    const written = await mirrorToDisk(ctx, planned.plan, {
      toDir: request.toDir,
      volumeSize: opts.volumeSize,
      requested: planned.requested,
      ...(since ? { since } : {}),
      ...(request.failFast ? { failFast: true } : {}),
      ...(headStart ? { headStart } : {}),
    });
    // After the writer's final rename: the signature covers the transfer.json that was committed.
    const signed = opts.signingKey ? await signTransferWith(request.toDir, opts.signingKey) : undefined;
    return { ...planned, written, ...(signed ? { signed } : {}) };
  } finally {
    headStart?.close();
  }
}
