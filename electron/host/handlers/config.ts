import { FerryError } from '../../../shared/errors';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { caConfigMap, DEFAULT_CA_CONFIGMAP_NAME } from '../../../shared/certs/ca-configmap';
import { imageConfigViolations } from '../../../shared/config/api-rules';
import { imageConfig } from '../../../shared/config/image-config';
import { installConfigSnippet } from '../../../shared/config/install-config';
import { imageContentSourcePolicy, imageDigestMirrorSet, imageTagMirrorSet } from '../../../shared/config/mirror-sets';
import { policyJson } from '../../../shared/config/policy-json';
import { registriesConf } from '../../../shared/config/registries-conf';
import { refuseViolations } from '../../../shared/config/rules';
import type { RegistrySources } from '../../../shared/config/image-config';
import { signatureConfigMap } from '../../../shared/signatures/signature-configmap';
import { mirrorScope, resolveMirrorInput } from '../../engine/config/mirror-input';
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

/** The node views take the Image CR's lists, so the Image API's rules refuse them first, as for image-config. */
function checkedSources(req: Request): RegistrySources {
  const s = sources(req);
  refuseViolations(imageConfigViolations({ spec: { registrySources: s } }), 'The registry lists');
  return s;
}

function needCa(req: Request): string {
  if (!req.caPem) throw new FerryError('INVALID_INPUT', 'No CA is set for the mirror.', { hint: 'Import the mirror’s CA in “Target registry” first.' });
  return req.caPem;
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
  const { target, mappings } = await resolveMirrorInput({ fromDir: req.fromDir, mirror: req.mirror });
  const name = req.name !== undefined ? { name: req.name } : {};
  switch (req.kind) {
    case 'idms':
      return { text: imageDigestMirrorSet(mappings, name).text, fileName: 'imagedigestmirrorset.yaml', findings: [] };
    case 'itms':
      return { text: imageTagMirrorSet(mappings, name).text, fileName: 'imagetagmirrorset.yaml', findings: [] };
    case 'icsp':
      return { text: imageContentSourcePolicy(mappings, name).text, fileName: 'imagecontentsourcepolicy.yaml', findings: [] };
    case 'install-config':
      return { text: installConfigSnippet(mappings, req.caPem ? { caPem: req.caPem } : {}).text, fileName: 'install-config-mirror.yaml', findings: [] };
    case 'image-config': {
      const s = sources(req);
      const generated = imageConfig(
        {
          ...(s.allowedRegistries ? { allowed: s.allowedRegistries } : {}),
          ...(s.blockedRegistries ? { blocked: s.blockedRegistries } : {}),
          ...(s.insecureRegistries ? { insecure: s.insecureRegistries } : {}),
          ...(s.containerRuntimeSearchRegistries ? { search: s.containerRuntimeSearchRegistries } : {}),
          ...(req.caPem ? { additionalTrustedCA: req.name ?? DEFAULT_CA_CONFIGMAP_NAME } : {}),
          allowedRegistriesForImport: [{ domainName: target.registry, insecure: false }],
        },
        { mirror: mirrorScope(target) },
      );
      return { text: generated.text, fileName: 'image-config.yaml', findings: generated.findings.map((f) => ({ level: f.level, message: f.message, path: f.path })) };
    }
    case 'registries-conf':
      return { text: registriesConf({ digestMirrors: mappings, registrySources: checkedSources(req) }).text, fileName: 'registries.conf', findings: [] };
    case 'policy-json':
      return { text: policyJson(checkedSources(req)).text, fileName: 'policy.json', findings: [] };
    case 'ca-configmap':
      return { text: caConfigMap([{ registry: target.registry, pem: needCa(req) }], req.name).yaml, fileName: 'ca-configmap.yaml', findings: [] };
    case 'signature-configmap': {
      // For a --since delta the transfer's release is the new one: its signatures are the ones carried.
      const carried = await carriedReleaseSignatures(req.fromDir);
      return {
        text: signatureConfigMap(carried.digest, carried.signatures, req.name).yaml,
        // oc adm release mirror --release-image-signature-to-dir names it signature-sha256-<first 16 hex>.json (JSON; this is the same object as YAML).
        fileName: `signature-${carried.digest.replace(':', '-').slice(0, 'sha256-'.length + 16)}.yaml`,
        findings: carried.warnings.map((message) => ({ level: 'warning' as const, message })),
      };
    }
  }
}
