import { FerryError } from '../../../shared/errors';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { TokenCache } from '../../engine/registry/auth';
import { authFilePaths, CredentialStore, credentialUser, type InlineAuth } from '../../engine/registry/credentials';
import { discard, RegistryTransport } from '../../engine/registry/http';
import { TrustStore } from '../../engine/registry/tls';
import { proxyConfig } from '../../engine/net/proxy';
import { checkRegistryTls } from '../../engine/trust/tls-check';
import { authJsonOf } from '../../engine/registry/credentials';
import type { EngineDefaults } from '../../jobs/engine-options';
import type { SecretStore } from '../../jobs/secrets/secret-store';
import { savedSecret } from '../../jobs/secrets/saved-secret';

type Request = ParsedRequestOf<'registry.testConnection'>;

function hostPort(registry: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:/]+)(?::(\d+))?$/.exec(registry.trim());
  if (!m) throw new FerryError('INVALID_INPUT', `"${registry}" is not HOST or HOST:PORT.`, { hint: 'Give the registry as host[:port], e.g. mirror.example.com:5000.' });
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 443 };
}

/** The credentials the test logs in with: typed ones, a stored registry password or pull secret, else the host's auth file. */
async function credentialsFor(store: SecretStore, req: Request): Promise<{ inline: InlineAuth[]; useDefaults: boolean }> {
  if (req.username !== undefined && req.password !== undefined) {
    return { inline: [{ source: 'the typed credentials', text: authJsonOf([{ registry: req.registry, username: req.username, password: req.password }]) }], useDefaults: false };
  }
  if (req.credentialRef !== undefined) {
    const { value, meta } = await savedSecret(store, req.credentialRef);
    if (meta?.kind === 'pull-secret') return { inline: [{ source: `the saved pull secret "${req.credentialRef}"`, text: value }], useDefaults: false };
    if (!meta?.username) throw new FerryError('INVALID_INPUT', `The saved secret "${req.credentialRef}" has no user name.`, { hint: 'Save the credentials again with a user name.' });
    return { inline: [{ source: `the saved credentials "${req.credentialRef}"`, text: authJsonOf([{ registry: req.registry, username: meta.username, password: value }]) }], useDefaults: false };
  }
  return { inline: [], useDefaults: true };
}

/**
 * What `podman login` proves, step by step so a failure says which step: the TLS chain and name with
 * the given CA (and the host's), then GET /v2/ with the credentials. Wrong credentials → AUTH_DENIED.
 */
export async function testConnection(store: SecretStore, defaults: EngineDefaults, req: Request): Promise<ResponseOf<'registry.testConnection'>> {
  const { host, port } = hostPort(req.registry);
  const registry = port === 443 ? host : `${host}:${port}`;
  const trust = (await TrustStore.load({ caFiles: defaults.caFiles, caPems: req.caPem ? [req.caPem] : [], ...(defaults.certDir ? { certDir: defaults.certDir } : {}) })).forHost(registry);
  const proxy = proxyConfig({ proxy: defaults.proxy });
  const tls = await checkRegistryTls({ host, port, caPems: trust.ca ?? [], proxy });
  const leaf = tls.chain[0];
  if (!tls.ok) {
    const why = tls.chainError ?? tls.nameError ?? 'a certificate in the chain is expired or not yet valid';
    throw new FerryError('TLS_UNTRUSTED', `The TLS certificate of ${registry} is not accepted (${why}).`, {
      hint: tls.chainVerified ? 'The certificate does not name this host or is out of date: fix the registry’s certificate.' : 'Import the CA that signed the registry’s certificate (PEM or DER) and test again.',
      details: { registry, subject: leaf?.subject, fingerprintSha256: leaf?.fingerprintSha256 },
    });
  }
  const { inline, useDefaults } = await credentialsFor(store, req);
  const credentials = await CredentialStore.load(useDefaults ? authFilePaths(defaults.authfile) : [], inline);
  const transport = new RegistryTransport(registry, {
    trust,
    proxy,
    connections: 1,
    credentials: (repo) => credentials.lookup(registry, repo ?? ''),
    tokenCache: new TokenCache(),
  });
  try {
    await transport.ping();
    // Which scheme the registry asked for; the header itself (it holds the secret) is dropped at once.
    const scheme = transport.authenticator.knowsChallenge ? ((await transport.authenticator.authorization({ scopes: [] }))?.split(' ')[0]?.toLowerCase() ?? 'basic') : 'anonymous';
    const res = await transport.send({ method: 'GET', url: '/v2/', auth: { scopes: [] } });
    await discard(res);
    if (res.statusCode >= 300) {
      throw new FerryError('REGISTRY_ERROR', `${registry} answered HTTP ${res.statusCode} to GET /v2/.`, { hint: 'Check that this address is a container registry (Docker Registry HTTP API v2).' });
    }
    const cred = credentials.lookup(registry, '');
    const auth = scheme === 'bearer' ? 'bearer' : scheme === 'anonymous' ? 'anonymous' : 'basic';
    return {
      registry,
      tls: { trusted: true, ...(leaf ? { subject: leaf.subject, fingerprintSha256: leaf.fingerprintSha256 } : {}) },
      auth,
      ...(cred && auth !== 'anonymous' ? { username: credentialUser(cred) } : {}),
      message: auth === 'anonymous' ? `${registry} answers without credentials.` : `${registry} accepted the credentials for ${cred ? credentialUser(cred) : 'this user'}.`,
    };
  } finally {
    await transport.close();
  }
}
