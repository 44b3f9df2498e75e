import { z } from 'zod';
import { imageSetConfigSchema } from '../imageset/schema';
import type { ImageRole } from '../mirror-mapping';

/**
 * `transfer.json`: the single source of truth of a transfer directory (DESIGN §3). Written last by the
 * media writer (its presence is the commit point), read by verify, push and the cluster-config
 * generators. Pure schema + types, no Node: the renderer imports it to show a transfer.
 */
export const TRANSFER_FORMAT_VERSION = 1;
/**
 * A transfer that carries other releases beside the primary one (`releases`) is written as format 2, so that a Ferry
 * which reads format 1 only refuses it: such a Ferry would push every release image under the primary's
 * `VERSION-ARCH` tag, the tag ending up on whichever was pushed last. Everything else stays format 1, which an
 * older Ferry still reads.
 */
export const MULTI_RELEASE_FORMAT_VERSION = 2;
export const NEWEST_TRANSFER_FORMAT = MULTI_RELEASE_FORMAT_VERSION;
export const TRANSFER_FILE = 'transfer.json';

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;
/** Volume file names are fixed so a reader never has to trust a path from the manifest. */
const VOLUME_NAME = /^ferry-\d{6}\.tar$/;

export const digestSchema = z.string().regex(SHA256_DIGEST, 'expected sha256: followed by 64 lowercase hex digits');
const sha256HexSchema = z.string().regex(SHA256_HEX, 'expected 64 lowercase hex digits');
const volumeNameSchema = z.string().regex(VOLUME_NAME, 'expected a volume name like ferry-000001.tar');
const sizeSchema = z.number().int().nonnegative();

export const imageRoleSchema = z.enum(['release', 'component', 'extra'] as const satisfies readonly ImageRole[]);

const releaseInfoSchema = z.object({
  version: z.string().min(1),
  architecture: z.string().min(1),
  digest: digestSchema,
  channel: z.string().min(1).optional(),
  /** The pullspec exactly as the user gave it. */
  pullspec: z.string().min(1),
  /** Canonical by-digest reference, e.g. quay.io/openshift-release-dev/ocp-release@sha256:… */
  source: z.string().min(1),
});

/** An operator catalog selection as asked (`--catalog REF --package SPEC ... [--with-dependencies]`). */
export const catalogRequestSchema = z.object({
  catalog: z.string().min(1),
  /** `NAME[:CHANNEL][@MIN..MAX]`, as given. */
  packages: z.array(z.string().min(1)).min(1),
  withDependencies: z.boolean().default(false),
  platform: z.string().min(1).optional(),
});

/** What the user asked for, recorded so a later run (resume, --since) can repeat it. */
export const requestedSchema = z.object({
  release: z.string().min(1).optional(),
  images: z.array(z.string().min(1)).default([]),
  since: z.string().min(1).optional(),
  /** The mirror registry's own image (`--with-registry`), pinned to the node's platform; one of `images`. */
  registry: z.object({ ref: z.string().min(1), platform: z.string().min(1), source: z.string().min(1) }).optional(),
  /** Added in format 1 as an optional field: operator catalog selections. */
  catalogs: z.array(catalogRequestSchema).optional(),
  /** The oc-mirror ImageSetConfiguration the run was given (`--config`): its file's sha256 and what Ferry read from it. */
  imageSet: z.object({ digest: digestSchema, config: imageSetConfigSchema }).optional(),
});

const transferImageSchema = z.object({
  /** Reference the cluster knows (tag or digest form); also the OCI `org.opencontainers.image.ref.name`. */
  source: z.string().min(1),
  role: imageRoleSchema,
  /** Digest of the top manifest (an index for multi-arch images). */
  digest: digestSchema,
  mediaType: z.string().min(1),
  tag: z.string().min(1).optional(),
  platforms: z.array(z.string().min(1)).optional(),
  /** Digests of every manifest belonging to the image: the top one and, for an index, its children. */
  manifests: z.array(digestSchema).min(1),
  /**
   * For a release component: its names in the release's image-references (several when the payload
   * names one image twice). Push tags it `VERSION-ARCH-NAME` for each, as `oc adm release mirror`.
   */
  components: z.array(z.string().min(1)).optional(),
});

const blobPartSchema = z.object({
  volume: volumeNameSchema,
  path: z.string().min(1),
  /** Byte offset of the part's data inside the volume file. */
  offset: sizeSchema,
  size: sizeSchema,
  sha256: sha256HexSchema,
});

/** Where a blob's bytes are: one tar entry, a list of parts across volumes, or the parent transfer (delta). */
const blobLocationSchema = z.union([
  z.strictObject({ volume: volumeNameSchema, path: z.string().min(1), offset: sizeSchema }),
  z.strictObject({ parts: z.array(blobPartSchema).min(2) }),
  z.strictObject({ parent: z.literal(true) }),
]);

const blobKindSchema = z.enum(['manifest', 'config', 'layer']);

const transferBlobSchema = z.object({
  digest: digestSchema,
  size: sizeSchema,
  mediaType: z.string().min(1).optional(),
  kind: blobKindSchema,
  location: blobLocationSchema,
});

const transferVolumeSchema = z.object({
  name: volumeNameSchema,
  size: sizeSchema,
  sha256: sha256HexSchema,
});

const parentRefSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['transfer', 'receipt']),
  /** sha256 of the parent's transfer.json / receipt.json file as carried. */
  digest: digestSchema,
});

/** One release signature as the signature store served it (`signature-<index>`), verified before it was carried. */
const releaseSignatureSchema = z.object({
  index: z.number().int().positive(),
  /** The signature file's bytes, base64: a few hundred bytes, so transfer.json (and its signature) covers them. */
  data: z.base64(),
  sha256: sha256HexSchema,
  /** Fingerprint of the keyring key that made it. */
  keyFingerprint: z.string().regex(/^[a-f0-9]{32,64}$/),
  /** `critical.identity.docker-reference` of the signed claims (informative: the CVO does not compare it). */
  identity: z.string().min(1),
});

/**
 * The release's signatures for the disconnected cluster-version operator (ferry config signature-configmap).
 * Added in format 1 as an optional field: an older reader ignores it. `warnings` say why a release travels
 * without (some of) its signatures; they are shown wherever the transfer is.
 */
const releaseSignaturesSchema = z.object({
  digest: digestSchema,
  /** The signature store they were read from. */
  store: z.string().min(1).optional(),
  signatures: z.array(releaseSignatureSchema),
  warnings: z.array(z.string().min(1)).default([]),
});

/**
 * A release carried beside the primary one (`release`), as the releases of an upgrade path are (`--config` with a
 * channel range). Added in format 1 as an optional field: an older reader sees the primary release only. Its release
 * image is one of `images` (role `release`, this digest); its components are too (role `component`), by digest, and
 * `components` names each as this release's image-references do: push tags it `VERSION-ARCH-NAME` for this release,
 * whatever the image's `components` say (those are its names in the primary release).
 */
const carriedReleaseSchema = z.object({
  release: releaseInfoSchema,
  signatures: releaseSignaturesSchema.optional(),
  /** image-references name → component digest. */
  components: z.record(z.string().min(1), digestSchema),
});

/**
 * One operator catalog a transfer carries (added in format 1 as an optional field): the source catalog, what was
 * selected and resolved, and the filtered catalog image built from it, which is one of `images` (role `extra`,
 * named after the catalog's repository and tag). Every bundle image and related image is in `images` by digest.
 */
const transferCatalogSchema = z.object({
  /** The catalog reference as given. */
  source: z.string().min(1),
  /** Digest of what it named when read (the index of a multi-arch catalog). */
  digest: digestSchema,
  /** The platform whose FBC was read and filtered; the filtered catalog holds every platform of the source. */
  platform: z.string().min(1),
  configsDir: z.string().min(1),
  selections: z.array(z.object({ package: z.string().min(1), channel: z.string().min(1).optional(), minVersion: z.string().min(1).optional(), maxVersion: z.string().min(1).optional() })),
  withDependencies: z.boolean(),
  /** What the filtered catalog keeps: packages, their (maybe new) default channel, channels and bundles. */
  packages: z.array(
    z.object({
      name: z.string().min(1),
      defaultChannel: z.string().min(1),
      replacedDefaultChannel: z.string().min(1).optional(),
      channels: z.array(z.object({ name: z.string().min(1), bundles: z.array(z.string().min(1)) })),
      bundles: z.array(z.string().min(1)),
    }),
  ),
  bundles: z.array(
    z.object({
      package: z.string().min(1),
      name: z.string().min(1),
      version: z.string().min(1),
      image: z.string().min(1),
      channels: z.array(z.string().min(1)),
      reason: z.enum(['selected', 'upgrade-path', 'dependency']),
    }),
  ),
  /** Bundle images and related images, each once, sorted: all in `images`. */
  images: z.array(z.string().min(1)),
  filtered: z.object({
    /** Its `images` entry's source, e.g. `HOST/REPO:TAG@sha256:…`. */
    source: z.string().min(1),
    digest: digestSchema,
    mediaType: z.string().min(1),
    tag: z.string().min(1).optional(),
    /** The FBC files of its configs directory. */
    files: z.array(z.string().min(1)),
  }),
});

/**
 * The update service's graph-data image a transfer carries (`graph: true` in an ImageSetConfiguration; added in
 * format 1 as an optional field: an older reader ignores it). The image is one of `images` (role `extra`, pushed to
 * `NS/openshift/graph-image:latest`); `ferry config update-service` points the UpdateService at it.
 */
export const transferGraphSchema = z.object({
  /** Where the graph data was fetched. */
  url: z.string().min(1),
  /** sha256 of the graph-data archive as served. */
  archiveDigest: digestSchema,
  /** Files in the archive (now under /var/lib/cincinnati-graph-data in the image). */
  files: z.number().int().nonnegative(),
  /** The image it is built on, by digest. */
  base: z.string().min(1),
  /** Its `images` entry. */
  image: z.object({ source: z.string().min(1), digest: digestSchema }),
});

/** Source repositories and their roles: push maps them to HOST:PORT/NS with `mirrorMappings`. */
const mirrorInfoSchema = z.object({
  sources: z.array(z.object({ repository: z.string().min(1), role: imageRoleSchema })),
});

/**
 * An image the run was asked for but could not carry (a missing manifest, a refused repository, bytes that
 * did not match their digest): the run kept going without it. Added in format 1 as an optional field: an
 * older reader ignores it. Rerunning the same `ferry mirror` into the directory fetches these only and
 * drops the entries that then succeed. Release content never fails alone: a release must be whole.
 */
export const failedImageSchema = z.object({
  /** The reference as it was asked for. */
  ref: z.string().min(1),
  role: imageRoleSchema,
  /** The FerryError code of the failure (NOT_FOUND, AUTH_DENIED, DIGEST_MISMATCH…). */
  code: z.string().min(1),
  message: z.string().min(1),
});

/** transfer.json's fields, without the rule tying them to the format (a test builds an older reader's schema from it). */
export const transferManifestFields = z.object({
  formatVersion: z.union([z.literal(TRANSFER_FORMAT_VERSION), z.literal(MULTI_RELEASE_FORMAT_VERSION)]),
  id: z.uuid(),
  createdAt: z.iso.datetime({ offset: true }),
  tool: z.object({ name: z.literal('ferry'), version: z.string().min(1) }),
  release: releaseInfoSchema.optional(),
  requested: requestedSchema,
  images: z.array(transferImageSchema),
  blobs: z.array(transferBlobSchema),
  volumes: z.array(transferVolumeSchema),
  /** Size limit the volumes were cut to. */
  volumeSize: z.number().int().positive(),
  parent: parentRefSchema.optional(),
  mirror: mirrorInfoSchema,
  releaseSignatures: releaseSignaturesSchema.optional(),
  /** The other releases of an upgrade path, in path order (the primary `release`, the newest, comes after them). */
  releases: z.array(carriedReleaseSchema).optional(),
  catalogs: z.array(transferCatalogSchema).optional(),
  graph: transferGraphSchema.optional(),
  /** Absent or empty: every image asked for is carried. */
  failed: z.array(failedImageSchema).optional(),
});

export const transferManifestSchema = transferManifestFields.refine((m) => (m.releases?.length ? m.formatVersion === MULTI_RELEASE_FORMAT_VERSION : true), {
  message: `a transfer carrying other releases is format ${MULTI_RELEASE_FORMAT_VERSION}`,
  path: ['formatVersion'],
});

/** The format a transfer with these other releases is written in. */
export function transferFormatFor(releases: readonly unknown[] | undefined): 1 | 2 {
  return releases?.length ? MULTI_RELEASE_FORMAT_VERSION : TRANSFER_FORMAT_VERSION;
}

export type ReleaseInfo = z.infer<typeof releaseInfoSchema>;
export type RequestedContent = z.infer<typeof requestedSchema>;
export type TransferImage = z.infer<typeof transferImageSchema>;
export type BlobPart = z.infer<typeof blobPartSchema>;
export type BlobLocation = z.infer<typeof blobLocationSchema>;
export type BlobKind = z.infer<typeof blobKindSchema>;
export type TransferBlob = z.infer<typeof transferBlobSchema>;
export type TransferVolume = z.infer<typeof transferVolumeSchema>;
export type ParentRef = z.infer<typeof parentRefSchema>;
export type ReleaseSignature = z.infer<typeof releaseSignatureSchema>;
export type ReleaseSignatures = z.infer<typeof releaseSignaturesSchema>;
export type CarriedReleaseEntry = z.infer<typeof carriedReleaseSchema>;
export type FailedImage = z.infer<typeof failedImageSchema>;
export type TransferManifest = z.infer<typeof transferManifestSchema>;
export type CatalogRequest = z.infer<typeof catalogRequestSchema>;
export type ImageSetRecord = NonNullable<RequestedContent['imageSet']>;
export type TransferCatalog = z.infer<typeof transferCatalogSchema>;
export type TransferGraph = z.infer<typeof transferGraphSchema>;

export function isPartsLocation(loc: BlobLocation): loc is Extract<BlobLocation, { parts: BlobPart[] }> {
  return 'parts' in loc;
}

export function isParentLocation(loc: BlobLocation): loc is Extract<BlobLocation, { parent: true }> {
  return 'parent' in loc;
}
