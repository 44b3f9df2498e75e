import { z } from 'zod';
import { FerryError } from '../../../shared/errors';
import { isDigest, parseReference, type ImageReference } from '../../../shared/reference';

/**
 * What a release payload says about itself: `release-manifests/image-references` (an ImageStream
 * whose tags name every component by digest) and `release-manifests/release-metadata`.
 */
export const IMAGE_REFERENCES_PATH = 'release-manifests/image-references';
export const RELEASE_METADATA_PATH = 'release-manifests/release-metadata';
export const RELEASE_VERSION_LABEL = 'io.openshift.release';

const imageStreamSchema = z.object({
  kind: z.literal('ImageStream'),
  metadata: z.object({ name: z.string() }).loose(),
  spec: z.object({
    tags: z.array(
      z
        .object({
          name: z.string().min(1),
          from: z.object({ kind: z.literal('DockerImage'), name: z.string().min(1) }).loose(),
        })
        .loose(),
    ),
  }).loose(),
}).loose();

const metadataSchema = z
  .object({
    kind: z.string().optional(),
    version: z.string().min(1),
    previous: z.array(z.string()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export interface ReleaseComponent {
  /** Tag name in the ImageStream, e.g. `installer`, `cli`, `machine-config-operator`. */
  name: string;
  /** The reference clusters know, e.g. `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:…`. */
  source: ImageReference & { digest: string };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FerryError('MEDIA_CORRUPT', `The release payload's ${what} is not valid JSON: ${(e as Error).message}.`, {
      hint: 'The release image is not an OpenShift release payload, or it is damaged.',
    });
  }
}

function invalid(what: string, error: z.ZodError): FerryError {
  const first = error.issues[0];
  return new FerryError('MEDIA_CORRUPT', `The release payload's ${what} is not as expected at ${first?.path.join('.') || '(root)'}: ${first?.message}.`, {
    hint: 'The release image is not an OpenShift release payload, or it is damaged.',
  });
}

/** The ImageStream's `metadata.name`: the release name `oc adm release new` gave it (its version). */
export function imageReferencesName(text: string): string {
  const parsed = imageStreamSchema.safeParse(parseJson(text, IMAGE_REFERENCES_PATH));
  if (!parsed.success) throw invalid(IMAGE_REFERENCES_PATH, parsed.error);
  return parsed.data.metadata.name;
}

export function parseImageReferences(text: string): ReleaseComponent[] {
  const parsed = imageStreamSchema.safeParse(parseJson(text, IMAGE_REFERENCES_PATH));
  if (!parsed.success) throw invalid(IMAGE_REFERENCES_PATH, parsed.error);
  const seen = new Set<string>();
  return parsed.data.spec.tags.map((tag) => {
    if (seen.has(tag.name)) throw new FerryError('MEDIA_CORRUPT', `The release payload names component "${tag.name}" twice.`);
    seen.add(tag.name);
    const ref = parseReference(tag.from.name);
    if (ref.digest === undefined || !isDigest(ref.digest)) {
      throw new FerryError('MEDIA_CORRUPT', `Component "${tag.name}" of the release is not pinned by digest (${tag.from.name}).`, {
        hint: 'Only digest-pinned release payloads can be mirrored faithfully.',
      });
    }
    return { name: tag.name, source: { ...ref, digest: ref.digest } };
  });
}

export function parseReleaseMetadata(text: string): { version: string; previous: string[]; channels: string[] } {
  const parsed = metadataSchema.safeParse(parseJson(text, RELEASE_METADATA_PATH));
  if (!parsed.success) throw invalid(RELEASE_METADATA_PATH, parsed.error);
  const channelText = parsed.data.metadata?.['io.openshift.upgrades.graph.release.channels'];
  const channels = typeof channelText === 'string' ? channelText.split(',').map((c) => c.trim()).filter(Boolean) : [];
  return { version: parsed.data.version, previous: parsed.data.previous ?? [], channels };
}
