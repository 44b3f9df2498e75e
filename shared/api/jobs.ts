import { z } from 'zod';
import { MAX_ACTIVE_IMAGES, type ProgressEvent } from '../progress';
import { errorEnvelopeSchema } from './envelope';
import { catalogRequestSchema } from '../transfer/manifest';

/**
 * Jobs as data (Podman's task manager): what a job is asked to do, and the DTO the UI sees.
 * Long operations (mirror, push, verify, extract, copy) run in a worker process; the UI only
 * ever holds these plain objects.
 */

export const progressEventSchema = z.object({
  phase: z.string(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  itemsDone: z.number(),
  itemsTotal: z.number(),
  image: z.string().optional(),
  blob: z.string().optional(),
  volume: z.string().optional(),
  bytesPerSecond: z.number().optional(),
  etaSeconds: z.number().optional(),
  message: z.string().optional(),
  volumes: z.array(z.object({ name: z.string(), bytesDone: z.number(), bytesTotal: z.number() })).optional(),
  images: z
    .object({
      done: z.number(),
      total: z.number(),
      active: z.array(z.object({ source: z.string(), bytesDone: z.number(), bytesTotal: z.number() })).max(MAX_ACTIVE_IMAGES),
    })
    .optional(),
}) satisfies z.ZodType<ProgressEvent>;

/** A registry credential for one job. The password is sent once and never returned or persisted. */
const jobCredentialSchema = z.object({
  registry: z.string().min(1),
  username: z.string().min(1),
  /** Either the secret itself… */
  password: z.string().optional(),
  /** …or the name of a secret saved with `secrets.save`. */
  secretRef: z.string().optional(),
});

/** Connection settings every registry-facing job accepts. */
const connection = {
  /** Name of a stored pull secret (`secrets.save` kind 'pull-secret') to authenticate with. */
  pullSecretRef: z.string().optional(),
  credentials: z.array(jobCredentialSchema).default([]),
  /** Extra CAs (PEM) to trust for registry TLS. */
  caPems: z.array(z.string()).default([]),
  parallel: z.number().int().min(1).max(64).optional(),
};

const mirrorParamsSchema = z.object({
  release: z.string().optional(),
  /** With `release` (the newest): the other releases of an upgrade path, in path order. */
  releases: z.array(z.string().min(1)).optional(),
  images: z.array(z.string()).default([]),
  toDir: z.string().min(1),
  /** e.g. "4000MiB" (DESIGN §3 default) */
  volumeSize: z.string().optional(),
  since: z.string().optional(),
  /** Carry the mirror registry's own image (the default one) for the registry node kit. */
  withRegistry: z.boolean().optional(),
  /** The registry node's platform, e.g. linux/arm64 (default: the release architecture's). */
  registryPlatform: z.string().optional(),
  /** Operator catalog selections: bundles, related images and a filtered catalog each. */
  catalogs: z.array(catalogRequestSchema).optional(),
  /** Stop at the first image that fails (default: a failing extra image is left out and listed in the report's `failed`). */
  failFast: z.boolean().optional(),
  /** Carry the update service's graph-data image, built from the host's graph data (--graph-data-url, else the public one). */
  graph: z.boolean().optional(),
  /**
   * The ImageSetConfiguration the choices came from, unchanged: recorded in transfer.json as `ferry mirror --config`
   * records it once the host has read it again and found it selects what the job carries (electron/jobs/imageset-claim.ts).
   */
  imageSet: z.object({ name: z.string().min(1), text: z.string() }).optional(),
  ...connection,
});

/**
 * Which transfer signatures a push or verify accepts (engine: signing/trust-policy.ts). The app passes the
 * operator's explicit choices; by default only a transfer signed by a trusted key passes.
 */
export const trustChoices = {
  /** Public key files or fingerprints (as Ferry prints them) of the keys to trust. */
  trust: z.array(z.string().min(1)).default([]),
  allowUnsigned: z.boolean().default(false),
  allowUntrusted: z.boolean().default(false),
};

const pushParamsSchema = z.object({
  fromDir: z.string().min(1),
  /** HOST:PORT/NAMESPACE */
  to: z.string().min(1),
  receipt: z.string().optional(),
  ...trustChoices,
  ...connection,
});

const verifyParamsSchema = z.object({
  dir: z.string().min(1),
  /** HOST:PORT/NAMESPACE to also check the mirror. */
  against: z.string().optional(),
  ...trustChoices,
  ...connection,
});

/** A command out of the release's component image: from the registries (connected side) or from a transfer on media. */
const extractParamsSchema = z
  .object({
    release: z.string().min(1).optional(),
    /** A transfer directory holding the release: the disconnected side, where the installer is needed. */
    fromDir: z.string().min(1).optional(),
    command: z.enum(['openshift-install', 'oc']).default('openshift-install'),
    /** oc's --command-os (linux, linux/arm64, mac, mac/arm64, windows …); absent: linux on the payload's architecture. */
    commandOs: z.string().min(1).optional(),
    /** With fromDir: the mirror HOST:PORT/NAMESPACE the transfer was pushed to; the binary then names the release there. */
    mirror: z.string().min(1).optional(),
    arch: z.string().min(1).default('x86_64'),
    toDir: z.string().min(1),
    ...connection,
  })
  .refine((p) => (p.release === undefined) !== (p.fromDir === undefined), { message: 'give either release or fromDir, not both', path: ['fromDir'] })
  .refine((p) => p.mirror === undefined || p.fromDir !== undefined, { message: 'mirror goes with fromDir', path: ['mirror'] });

const copyParamsSchema = z.object({
  source: z.string().min(1),
  destination: z.string().min(1),
  /** `os/arch`; absent = every platform of an index. */
  platform: z.string().optional(),
  ...connection,
});

export const jobStartSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mirror'), params: mirrorParamsSchema }),
  z.object({ kind: z.literal('push'), params: pushParamsSchema }),
  z.object({ kind: z.literal('verify'), params: verifyParamsSchema }),
  z.object({ kind: z.literal('extract'), params: extractParamsSchema }),
  z.object({ kind: z.literal('copy'), params: copyParamsSchema }),
]);

export type JobStart = z.output<typeof jobStartSchema>;
export type JobKind = JobStart['kind'];
export type JobParams<K extends JobKind> = Extract<JobStart, { kind: K }>['params'];
const jobKinds = ['mirror', 'push', 'verify', 'extract', 'copy'] as const satisfies readonly JobKind[];

const jobStates = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];

export const jobSchema = z.object({
  id: z.string(),
  kind: z.enum(jobKinds),
  /** Two jobs with the same key may not run at once (e.g. two mirrors into one directory). */
  key: z.string(),
  title: z.string(),
  state: z.enum(jobStates),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  progress: progressEventSchema.optional(),
  /** What the engine reported when the job ended (its own JSON shape per kind). */
  report: z.unknown().optional(),
  error: errorEnvelopeSchema.optional(),
  /** The parameters as started, with every secret replaced by "[redacted]". */
  params: z.record(z.string(), z.unknown()),
});

export type Job = z.output<typeof jobSchema>;

export function isFinished(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}
