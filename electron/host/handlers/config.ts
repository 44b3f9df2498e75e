import { FerryError } from '../../../shared/errors';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { DEFAULT_CA_CONFIGMAP_NAME } from '../../../shared/certs/ca-configmap';
import type { RegistrySources } from '../../../shared/config/image-config';
import { configKind, generateConfig as generate, type ConfigInput } from '../../../shared/config/kinds';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { mirroredCatalogsFromDir } from '../../engine/config/catalog-input';
import { mirroredGraphFromDir } from '../../engine/config/graph-input';
import { resolveMirrorInput } from '../../engine/config/mirror-input';
import { carriedReleaseSignatures } from '../../engine/release-signatures/carried';

type Request = ParsedRequestOf<'config.generate'>;
type Response = ResponseOf<'config.generate'>;

function sources(req: Request): RegistrySources {
  const c = req.imageConfig;
  if (!c) return {};
  return {
    ...(c.allowed.length ? { allowedRegistries: c.allowed } : {}),
    ...(c.blocked.length ? { blockedRegistries: c.blocked } : {}),
    ...(c.insecure.length ? { insecureRegistries: c.insecure } : {}),
    ...(c.search.length ? { containerRuntimeSearchRegistries: c.search } : {}),
  };
}

/** The request as the kind's inputs: what it needs read from the transfer, the rest from the page's choices. */
async function configInput(req: Request & { kind: Exclude<Request['kind'], 'pull-secret'> }): Promise<ConfigInput> {
  const kind = configKind(req.kind);
  const input: ConfigInput = { target: parseMirrorTarget(req.mirror), registrySources: sources(req) };
  if (kind.needs.includes('mappings')) input.mappings = (await resolveMirrorInput({ fromDir: req.fromDir, mirror: req.mirror })).mappings;
  // For a --since delta the transfer's release is the new one: its signatures are the ones carried.
  if (kind.needs.includes('signatures')) input.signatures = await carriedReleaseSignatures(req.fromDir);
  if (kind.needs.includes('catalogs')) input.catalogs = await mirroredCatalogsFromDir(req.fromDir, input.target!);
  if (kind.needs.includes('graph')) input.graph = await mirroredGraphFromDir(req.fromDir, input.target!);
  if (kind.needs.includes('ca') && !req.caPem) throw new FerryError('INVALID_INPUT', 'No CA is set for the mirror.', { hint: 'Import the mirror’s CA in “Target registry” first.' });
  if (req.caPem) input.caPem = req.caPem;
  if (req.name !== undefined) input.name = req.name;
  // The page names the CA ConfigMap it makes alongside; image-config points additionalTrustedCA at it.
  if (req.caPem) input.additionalTrustedCA = req.name ?? DEFAULT_CA_CONFIGMAP_NAME;
  return input;
}

/**
 * The cluster configuration for the transfer's images in this mirror: the same generators, and the same
 * source→mirror pairs push used, as `ferry config KIND --from-dir DIR --mirror M`.
 */
export async function generateConfig(req: Request): Promise<Response> {
  if (req.kind === 'pull-secret') {
    // The result holds the mirror password: the contract never sends a stored secret back to the UI.
    throw new FerryError('UNSUPPORTED', 'The cluster pull secret is not generated in the app, because it would carry the saved password back to the page.', {
      hint: 'Run ferry pull-secret add pull-secret.json --registry MIRROR --username USER --password-stdin on this machine.',
    });
  }
  const { text, fileName, findings } = generate(configKind(req.kind), await configInput({ ...req, kind: req.kind }));
  return { text, fileName, findings };
}
