import { FerryError } from '../../../shared/errors';
import { parseReference, type ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { OciLayout, parseOciSpec } from '../oci-layout/directory';
import { DockerDestination, DockerSource } from './docker';
import { OciDestination, OciSource } from './oci';
import type { ImageDestination, ImageSource } from './types';

/** `docker://HOST[:PORT]/REPO[:TAG|@DIGEST]` or `oci:DIR[:REF]`, parsed once. */
export type Endpoint = { transport: 'docker'; ref: ImageReference } | { transport: 'oci'; dir: string; ref?: string };

/**
 * Parses a copy/inspect endpoint. A bare reference (no transport) is accepted when
 * `bareIsDocker` is set, as for `ferry inspect quay.io/x/y:1`.
 */
export function parseEndpoint(spec: string, opts: { bareIsDocker?: boolean } = {}): Endpoint {
  if (spec.startsWith('docker://')) return { transport: 'docker', ref: parseReference(spec.slice('docker://'.length)) };
  if (spec.startsWith('oci:')) return { transport: 'oci', ...parseOciSpec(spec) };
  if (opts.bareIsDocker && !/^[a-z][a-z0-9+-]*:(?!\d)/.test(spec)) return { transport: 'docker', ref: parseReference(spec) };
  throw new FerryError('USAGE', `"${spec}" does not name a transport Ferry knows.`, {
    hint: 'Use docker://HOST[:PORT]/REPO[:TAG|@DIGEST] or oci:DIR[:REF].',
  });
}

export async function openSource(ctx: EngineContext, ep: Endpoint): Promise<ImageSource> {
  if (ep.transport === 'docker') return new DockerSource(ctx, ep.ref);
  return new OciSource(await OciLayout.open(ep.dir), ep.ref);
}

/**
 * Opens the destination. An `oci:DIR` without REF names the image after the source's tag (what an
 * operator expects to find); a source by digest alone leaves it unnamed, as skopeo does.
 */
export async function openDestination(ctx: EngineContext, ep: Endpoint, source?: Endpoint): Promise<ImageDestination> {
  if (ep.transport === 'docker') return new DockerDestination(ctx, ep.ref);
  const sourceTag = source?.transport === 'docker' ? source.ref.tag : source?.ref;
  return new OciDestination(await OciLayout.open(ep.dir, { create: true }), ep.ref ?? sourceTag);
}
