import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { FerryError } from '../../../shared/errors';
import { writeRegistryKit } from '../../engine/registry-kit/kit';
import { savedSecret } from '../../jobs/secrets/saved-secret';
import type { SecretStore } from '../../jobs/secrets/secret-store';
import type { PathGrants } from './path-grants';

/**
 * `ferry registry-kit` for the app: the same kit, the password taken from the secret store by name.
 * The kit holds private keys, so it is written only into a folder the operator chose in this session,
 * and the media are read only from one (path-grants.ts).
 */
export async function registryKit(secrets: SecretStore, grants: PathGrants, req: ParsedRequestOf<'kit.registry'>): Promise<ResponseOf<'kit.registry'>> {
  for (const [what, path] of [['kit directory', req.to], ['transfer directory', req.fromDir]] as const) {
    if (path !== undefined && !isAbsolute(path)) throw new FerryError('INVALID_INPUT', `The ${what} "${path}" is not an absolute path.`, { hint: 'Give the full path.' });
  }
  const to = await grants.check(req.to, 'write');
  const fromDir = req.fromDir ? await grants.check(req.fromDir, 'read') : undefined;
  const { value: password } = await savedSecret(secrets, req.passwordRef, { what: 'password', hint: 'Enter the registry password again; it is saved before the kit is written.' });
  const kit = await writeRegistryKit({
    host: req.host,
    ips: req.ips,
    port: req.port,
    username: req.username,
    password,
    to,
    ...(fromDir ? { fromDir } : {}),
  });
  return {
    dir: kit.dir,
    files: kit.files,
    caFingerprintSha256: kit.caFingerprintSha256,
    caPem: await readFile(kit.caCertPath, 'utf8'),
    ...(kit.registryImage ? { registryImage: kit.registryImage } : {}),
  };
}
