import { z } from 'zod';
import { CONFIG_KIND_IDS } from '../config/kind-ids';
import { jobSchema, jobStartSchema, progressEventSchema, trustChoices } from './jobs';
import { settingsSchema } from './settings';
import { catalogRequestSchema, failedImageSchema, transferGraphSchema } from '../transfer/manifest';
import { imageSetConfigSchema } from '../imageset/schema';

/**
 * The whole API between the UI and the privileged side, defined once (like VS Code's ProxyChannel):
 * the preload bridge, the main-process dispatcher, the serve WebSocket bridge and the renderer client
 * are all derived from `apiMethods` and `apiEvents`. Channel names are `namespace.method`.
 *
 * Rule for every response: it never carries a stored secret back to the UI.
 */

function method<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response };
}

const empty = z.object({});
const secretKind = z.enum(['pull-secret', 'registry-password', 'token']);
const secretStoreKind = z.enum(['keychain', 'safeStorage', 'memory']);

const position = { line: z.number().int().optional(), column: z.number().int().optional() };
const finding = z.object({ level: z.enum(['error', 'warning']), message: z.string(), path: z.string().optional(), ...position });

/** Registries a pull secret holds credentials for; never the credentials themselves. */
const pullSecretEntry = z.object({ registry: z.string(), username: z.string().optional(), email: z.string().optional() });

const certificate = z.object({
  subject: z.string(),
  issuer: z.string(),
  sans: z.array(z.string()),
  notBefore: z.string(),
  notAfter: z.string(),
  daysLeft: z.number(),
  isCA: z.boolean(),
  /** SHA-256 of the DER, colon-separated upper-case hex (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprintSha256: z.string(),
  pem: z.string(),
});

/** The generated kinds (shared/config/kinds.ts), and the pull secret, which the app refuses to send back. */
const configKind = z.enum([...CONFIG_KIND_IDS, 'pull-secret']);

/** Bytes of distinct blobs; `known` false when some manifest could not be read (then a lower bound). */
const catalogSize = z.object({ bytes: z.number(), known: z.boolean() });

/** Fingerprints in their printed form (shared/fingerprint.ts), with when each was first trusted. */
const rememberedKeys = z.object({ keys: z.array(z.object({ fingerprint: z.string(), addedAt: z.string() })) });

export const apiMethods = {
  'app.info': method(
    empty,
    z.object({
      version: z.string(),
      platform: z.string(),
      mode: z.enum(['electron', 'serve']),
      secretStore: secretStoreKind,
      /** Methods this build cannot do yet: the UI shows "not yet available" instead of calling them. */
      unavailable: z.array(z.string()),
      /** The proxy https connections go through (--proxy or HTTPS_PROXY), as HOST:PORT only; absent: direct. */
      proxy: z.string().optional(),
    }),
  ),

  /** What the app remembers between sessions (never a secret: shared/api/settings.ts), kept by the host. */
  'settings.get': method(empty, settingsSchema),
  'settings.update': method(z.object({ set: settingsSchema.default({}), forget: z.array(settingsSchema.keyof()).default([]) }), settingsSchema),

  /** Pure check of pasted or opened text; errors carry line and column. */
  'pullSecret.validate': method(
    z.object({ text: z.string() }),
    z.object({ valid: z.boolean(), findings: z.array(finding), entries: z.array(pullSecretEntry) }),
  ),
  /**
   * Add or replace a registry credential. With `text` the merged text comes back (the user typed it);
   * with `secretName` the stored pull secret is updated in place and no text is returned.
   */
  'pullSecret.addCredential': method(
    z.object({
      target: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('text'), text: z.string() }),
        z.object({ kind: z.literal('secret'), name: z.string().min(1) }),
      ]),
      registry: z.string().min(1),
      username: z.string().min(1),
      password: z.string().min(1),
      email: z.string().optional(),
    }),
    z.object({ entries: z.array(pullSecretEntry), text: z.string().optional() }),
  ),

  'secrets.list': method(
    empty,
    z.object({
      store: secretStoreKind,
      secrets: z.array(
        z.object({
          name: z.string(),
          kind: secretKind,
          registry: z.string().optional(),
          username: z.string().optional(),
          updatedAt: z.string(),
        }),
      ),
    }),
  ),
  /** Takes the secret once; it is never sent back to the UI. */
  'secrets.save': method(
    z.object({
      name: z.string().min(1).max(200),
      kind: secretKind,
      value: z.string().min(1),
      registry: z.string().optional(),
      username: z.string().optional(),
    }),
    z.object({ name: z.string(), store: secretStoreKind }),
  ),
  'secrets.delete': method(z.object({ name: z.string().min(1) }), z.object({ deleted: z.boolean() })),

  'ca.inspect': method(
    z.object({
      source: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('bytes'), base64: z.string().min(1) }),
        z.object({ kind: z.literal('path'), path: z.string().min(1) }),
      ]),
    }),
    z.object({ certificates: z.array(certificate), findings: z.array(finding) }),
  ),

  /** A registry node kit (certificates, htpasswd, podman/systemd, README), with the registry image the transfer carries. */
  'kit.registry': method(
    z.object({
      /** A transfer written with "carry the mirror registry": its image goes into the kit. */
      fromDir: z.string().min(1).optional(),
      host: z.string().min(1),
      ips: z.array(z.string().min(1)).default([]),
      port: z.number().int().min(1).max(65535).default(5000),
      username: z.string().min(1),
      /** Name of the registry password saved with secrets.save: the password never comes back to the page. */
      passwordRef: z.string().min(1),
      to: z.string().min(1),
    }),
    z.object({
      dir: z.string(),
      files: z.array(z.string()),
      caFingerprintSha256: z.string(),
      /** The kit's CA (public), to trust for the new registry. */
      caPem: z.string(),
      registryImage: z.object({ ref: z.string(), digest: z.string(), imageId: z.string(), archivePath: z.string() }).optional(),
    }),
  ),

  'registry.testConnection': method(
    z.object({
      /** HOST[:PORT] */
      registry: z.string().min(1),
      caPem: z.string().optional(),
      /** Stored secret to log in with (pull secret or registry password). */
      credentialRef: z.string().optional(),
      username: z.string().optional(),
      password: z.string().optional(),
    }),
    z.object({
      registry: z.string(),
      tls: z.object({ trusted: z.boolean(), subject: z.string().optional(), fingerprintSha256: z.string().optional() }),
      auth: z.enum(['anonymous', 'basic', 'bearer']),
      /** The user the registry accepted, if credentials were used. */
      username: z.string().optional(),
      message: z.string(),
    }),
  ),

  'release.info': method(
    z.object({ pullspec: z.string().min(1), pullSecretRef: z.string().optional(), caPems: z.array(z.string()).default([]) }),
    z.object({
      pullspec: z.string(),
      version: z.string(),
      architecture: z.string(),
      /** linux/amd64…: every platform of a multi payload (all travel), or the payload's one. */
      platforms: z.array(z.string()).optional(),
      digest: z.string(),
      components: z.array(z.object({ name: z.string(), reference: z.string(), digest: z.string() })),
      totalBytes: z.number().optional(),
      uniqueBytes: z.number().optional(),
    }),
  ),
  /** Versions from the update graph (Cincinnati); UNREACHABLE when offline, then the UI asks for a pullspec. */
  'release.list': method(
    z.object({ channel: z.string().min(1), arch: z.string().min(1) }),
    z.object({
      channel: z.string(),
      arch: z.string(),
      releases: z.array(
        z.object({
          version: z.string(),
          pullspec: z.string(),
          /** Reached only by conditional updates (clusters must accept `risks` to get there). */
          conditionalOnly: z.boolean().optional(),
          /** The known risks of conditional updates to this version (update graph `conditionalEdges`). */
          risks: z.array(z.object({ name: z.string(), message: z.string(), url: z.string() })).optional(),
        }),
      ),
    }),
  ),

  /**
   * The releases between two versions of a channel with the update edges among them, and the shortest path
   * a cluster takes (oc-mirror's shortestPath); conditional edges carry their risks' names.
   */
  'release.path': method(
    z.object({ channel: z.string().min(1), arch: z.string().min(1), from: z.string().min(1), to: z.string().min(1) }),
    z.object({
      channel: z.string(),
      arch: z.string(),
      from: z.string(),
      to: z.string(),
      releases: z.array(z.object({ version: z.string(), pullspec: z.string() })),
      edges: z.array(z.object({ from: z.string(), to: z.string(), risks: z.array(z.string()).optional() })),
      /** Versions of the shortest path, oldest first. */
      path: z.array(z.string()),
    }),
  ),

  /**
   * An ImageSetConfiguration (opened in the page) read by `ferry mirror --config`'s reader: refusals name the file's
   * line; platform channels resolved on the update graph as the CLI resolves them, or `graphError` when it is out of reach.
   */
  'imageset.read': method(
    z.object({ text: z.string(), name: z.string().min(1) }),
    z.object({
      config: imageSetConfigSchema,
      releases: z.array(z.object({ channel: z.string(), arch: z.string(), version: z.string().optional(), payload: z.string() })),
      images: z.array(z.string()),
      blocked: z.array(z.string()),
      graphError: z.string().optional(),
    }),
  ),

  /**
   * An operator catalog's packages, as `ferry catalog list` gives them (engine: catalog/browse.ts): default
   * channel, channels with their versions head first; with `package`, that package alone with its sizes.
   */
  'catalog.list': method(
    z.object({ ref: z.string().min(1), package: z.string().min(1).optional(), platform: z.string().min(1).optional(), pullSecretRef: z.string().optional(), caPems: z.array(z.string()).default([]) }),
    z.object({
      catalog: z.object({ reference: z.string(), digest: z.string(), platform: z.string() }),
      packages: z.array(
        z.object({
          name: z.string(),
          defaultChannel: z.string(),
          deprecated: z.string().optional(),
          channels: z.array(z.object({ name: z.string(), head: z.string(), versions: z.array(z.string()), deprecated: z.string().optional() })),
          /** Every bundle and related image of the package, each blob once. */
          size: catalogSize.optional(),
          bundles: z.array(z.object({ name: z.string(), version: z.string(), bundleImage: catalogSize, withRelatedImages: catalogSize })).optional(),
        }),
      ),
    }),
  ),

  'plan.export': method(
    z.object({
      release: z.string().optional(),
      /** With `release` (the newest): the other releases of an upgrade path, in path order, carried with it. */
      releases: z.array(z.string().min(1)).optional(),
      images: z.array(z.string()).default([]),
      volumeSize: z.string().optional(),
      toDir: z.string().min(1),
      mirror: z.string().optional(),
      since: z.string().optional(),
      withRegistry: z.boolean().optional(),
      registryPlatform: z.string().optional(),
      catalogs: z.array(catalogRequestSchema).optional(),
      /** Carry the update service's graph-data image (ImageSetConfiguration `platform.graph: true`). */
      graph: z.boolean().optional(),
      pullSecretRef: z.string().optional(),
      caPems: z.array(z.string()).default([]),
    }),
    z.object({
      images: z.array(
        z.object({
          source: z.string(),
          role: z.enum(['release', 'component', 'extra']),
          digest: z.string(),
          bytes: z.number(),
          /** A release component's image-references names. */
          components: z.array(z.string()).optional(),
          /** A cosign signature or referrers index travelling beside its image. */
          signatureArtifact: z.boolean().optional(),
          /** The operator catalog (as requested) whose bundle, related image or filtered catalog this is. */
          catalog: z.string().optional(),
          /** Bytes of blobs no earlier image carries, per volume file they land in: where this image's share of the disk goes. */
          written: z.array(z.object({ volume: z.string(), bytes: z.number() })),
        }),
      ),
      /** The mirror registry's image the transfer will carry, pinned to the node's platform. */
      registry: z.object({ ref: z.string(), platform: z.string(), source: z.string() }).optional(),
      totalBytes: z.number(),
      uniqueBytes: z.number(),
      /** `files`: each volume file as the writer will produce it (its size includes tar headers and the index files). */
      volumes: z.object({ count: z.number(), volumeSize: z.number(), bytes: z.number(), files: z.array(z.object({ name: z.string(), size: z.number() })) }),
      freeBytes: z.number(),
      fits: z.boolean(),
      /** The release's signatures found and verified in the signature store, and why any are missing. */
      releaseSignatures: z.object({ verified: z.number(), store: z.string().optional(), warnings: z.array(z.string()) }).optional(),
      /** An upgrade path: every release in path order (the newest, `releaseSignatures`' release, last), each with its signatures. */
      releases: z.array(z.object({ version: z.string(), architecture: z.string(), digest: z.string(), verified: z.number().optional() })).optional(),
      /** Images that cannot be planned now and that the export will leave out (keep going). */
      failed: z.array(failedImageSchema).optional(),
      /** With `graph`: the graph-data image built for the update service (one of `images`), as transfer.json will record it. */
      graph: transferGraphSchema.optional(),
    }),
  ),

  /** Native dialogs (Electron). In serve mode they answer UNSUPPORTED: the UI offers a path field. */
  'fs.pickDirectory': method(z.object({ title: z.string().optional(), defaultPath: z.string().optional() }), z.object({ path: z.string().nullable() })),
  'fs.pickFile': method(
    z.object({
      title: z.string().optional(),
      defaultPath: z.string().optional(),
      filters: z.array(z.object({ name: z.string(), extensions: z.array(z.string()) })).default([]),
    }),
    z.object({ path: z.string().nullable() }),
  ),
  'fs.stat': method(
    z.object({ path: z.string().min(1) }),
    z.object({
      path: z.string(),
      exists: z.boolean(),
      kind: z.enum(['file', 'directory', 'other', 'missing']),
      size: z.number(),
      writable: z.boolean(),
    }),
  ),
  /** Shows a file or folder (media, a report) in the OS file manager; desktop only, like the dialogs. */
  'fs.showInFolder': method(z.object({ path: z.string().min(1) }), z.object({ path: z.string() })),
  'fs.freeSpace': method(z.object({ path: z.string().min(1) }), z.object({ path: z.string(), freeBytes: z.number(), totalBytes: z.number() })),
  /**
   * The operator confirmed a typed path: `fs.*` may now use it and what lies under it, for this session
   * only (electron/main/handlers/path-grants.ts). Answers the canonical path.
   */
  'fs.allow': method(z.object({ path: z.string().min(1), access: z.enum(['read', 'write']) }), z.object({ path: z.string() })),
  /**
   * Writes generated text (cluster config, receipt) to a file: a save dialog in Electron, or `path` inside a
   * directory granted with `fs.allow`. Mode 0644, or 0600 when `secret` (a pull secret); never the caller's.
   */
  'fs.saveText': method(
    z.object({ text: z.string(), defaultName: z.string().min(1), path: z.string().optional(), secret: z.boolean().default(false) }),
    z.object({ path: z.string().nullable() }),
  ),

  'jobs.start': method(jobStartSchema, z.object({ id: z.string() })),
  'jobs.pause': method(z.object({ id: z.string() }), jobSchema),
  'jobs.resume': method(z.object({ id: z.string() }), jobSchema),
  'jobs.cancel': method(z.object({ id: z.string() }), jobSchema),
  /** Running, queued and past jobs (history), newest first. */
  'jobs.list': method(empty, z.object({ jobs: z.array(jobSchema) })),
  'jobs.get': method(z.object({ id: z.string() }), jobSchema),

  'config.generate': method(
    z.object({
      kind: configKind,
      /** Transfer directory (transfer.json) the images come from. */
      fromDir: z.string().min(1),
      /** HOST:PORT/NAMESPACE */
      mirror: z.string().min(1),
      caPem: z.string().optional(),
      name: z.string().optional(),
      /** For pull-secret: the stored pull secret to merge the mirror credentials into. */
      pullSecretRef: z.string().optional(),
      imageConfig: z
        .object({
          allowed: z.array(z.string()).default([]),
          blocked: z.array(z.string()).default([]),
          insecure: z.array(z.string()).default([]),
          search: z.array(z.string()).default([]),
        })
        .optional(),
    }),
    z.object({ text: z.string(), fileName: z.string(), findings: z.array(finding) }),
  ),

  /** Summary of a transfer directory (what the import journey shows before verifying). */
  'transfer.read': method(
    z.object({ dir: z.string().min(1) }),
    z.object({
      id: z.string(),
      createdAt: z.string(),
      release: z.object({ version: z.string(), architecture: z.string(), digest: z.string() }).optional(),
      /** An upgrade path: every carried release in path order, `release` (the newest) last. */
      releases: z.array(z.object({ version: z.string(), architecture: z.string(), digest: z.string(), signatures: z.number() })).optional(),
      images: z.array(z.object({ source: z.string(), role: z.string(), digest: z.string() })),
      volumes: z.array(z.object({ name: z.string(), size: z.number(), sha256: z.string() })),
      totalBytes: z.number(),
      /** SHA-256 of transfer.json: the fingerprint to compare on both sides of the gap. */
      fingerprint: z.string(),
      /** A partial transfer: images asked for that it does not carry (keep going). */
      failed: z.array(failedImageSchema).optional(),
    }),
  ),
  /**
   * Who signed transfer.json and whether that is accepted under the operator's trust choices: the same verdict
   * the verify and push jobs reach with the same choices (engine: signing/trust-policy.ts).
   */
  'transfer.signature': method(
    z.object({ dir: z.string().min(1), ...trustChoices }),
    z.object({
      status: z.enum(['trusted', 'untrusted', 'unsigned', 'invalid']),
      ok: z.boolean(),
      message: z.string(),
      hint: z.string().optional(),
      fingerprint: z.string().optional(),
      trustedFingerprints: z.array(z.string()).optional(),
    }),
  ),
  /** Signing-key fingerprints the operator trusts from now on (an app setting kept by the host, not a secret). */
  'trust.list': method(empty, rememberedKeys),
  'trust.remember': method(z.object({ fingerprint: z.string().min(1) }), rememberedKeys),
  'trust.forget': method(z.object({ fingerprint: z.string().min(1) }), rememberedKeys),
  /** Full verification without a job (small transfers); long ones use jobs.start({kind:'verify'}). */
  'transfer.verify': method(
    z.object({ dir: z.string().min(1), ...trustChoices }),
    z.object({
      ok: z.boolean(),
      problems: z.array(
        z.object({
          code: z.string(),
          message: z.string(),
          volume: z.string().optional(),
          blob: z.string().optional(),
          image: z.string().optional(),
          /** Every image that needs the blob or volume the problem is about. */
          images: z.array(z.string()).optional(),
        }),
      ),
      counts: z.record(z.string(), z.number()),
    }),
  ),
};

/** Events pushed to every UI that listens (all windows; every serve client). */
export const apiEvents = {
  'jobs.progress': z.object({ id: z.string(), progress: progressEventSchema }),
  'jobs.changed': z.object({ job: jobSchema }),
};

export type ApiMethods = typeof apiMethods;
export type MethodName = keyof ApiMethods;
export type EventName = keyof typeof apiEvents;

/** What a caller may pass (defaults not yet applied). */
export type RequestOf<M extends MethodName> = z.input<ApiMethods[M]['request']>;
/** What a handler receives (validated, defaults applied). */
export type ParsedRequestOf<M extends MethodName> = z.output<ApiMethods[M]['request']>;
export type ResponseOf<M extends MethodName> = z.output<ApiMethods[M]['response']>;
export type EventOf<E extends EventName> = z.output<(typeof apiEvents)[E]>;

export const methodNames = Object.keys(apiMethods) as MethodName[];
export const eventNames = Object.keys(apiEvents) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(apiMethods, name);
}

type Namespace = MethodName extends `${infer N}.${string}` ? N : never;
// `{} extends R` holds exactly when every field of R is optional: such a call may omit its request.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type Call<M extends MethodName> = {} extends RequestOf<M>
  ? (request?: RequestOf<M>) => Promise<ResponseOf<M>>
  : (request: RequestOf<M>) => Promise<ResponseOf<M>>;

/**
 * The API as the renderer uses it: `api.jobs.start({...})`, `api.app.info()`, and
 * `api.subscribe('jobs.progress', listener)` returning a disposer. Errors reject with a FerryError.
 */
export type FerryApi = {
  [N in Namespace]: { [M in MethodName as M extends `${N}.${infer Short}` ? Short : never]: Call<M> };
} & {
  subscribe<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void;
};
