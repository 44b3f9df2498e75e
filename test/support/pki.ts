import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes, X509Certificate } from 'node:crypto';
import { run } from './processes';

/** A throwaway PKI for one test world, made with the openssl CLI. All paths are PEM unless named .der. */
export interface TestPki {
  ca: { certPath: string; derPath: string; keyPath: string; certPem: string };
  /** TLS server certificate for 127.0.0.1 / localhost, used by the registries and the token issuer. */
  server: { certPath: string; keyPath: string };
  /** RSA certificate whose key signs registry tokens (RS256); its DER goes into the JWT `x5c` header. */
  signing: { certPath: string; keyPath: string; certDer: Buffer; keyPem: string };
}

const DAYS = '7';

function serial(): string {
  return `0x${randomBytes(8).toString('hex').replace(/^./, '1')}`;
}

async function issue(dir: string, name: string, keyArgs: string[], ext: string, subject: string): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, ext);
  await run('openssl', ['req', '-new', '-nodes', ...keyArgs, '-keyout', key, '-out', csr, '-subj', subject]);
  await run('openssl', [
    'x509', '-req', '-in', csr, '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'),
    '-set_serial', serial(), '-days', DAYS, '-sha256', '-extfile', extFile, '-out', join(dir, `${name}.crt`),
  ]);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

export async function createPki(dir: string): Promise<TestPki> {
  await run('openssl', [
    'req', '-x509', '-nodes', ...EC_KEY, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'),
    '-days', DAYS, '-sha256', '-set_serial', serial(), '-subj', '/O=Ferry tests/CN=Ferry Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await Promise.all([
    run('openssl', ['x509', '-in', join(dir, 'ca.crt'), '-outform', 'DER', '-out', join(dir, 'ca.der')]),
    issue(
      dir, 'server', EC_KEY,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '',
      ].join('\n'),
      '/O=Ferry tests/CN=localhost',
    ),
    // distribution verifies the x5c chain with Go's default (server auth) key usage, hence serverAuth here.
    issue(
      dir, 'token-signing', ['-newkey', 'rsa:2048'],
      ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', ''].join('\n'),
      '/O=Ferry tests/CN=Ferry test token issuer',
    ),
  ]);
  const signingPem = await readFile(join(dir, 'token-signing.crt'), 'utf8');
  return {
    ca: {
      certPath: join(dir, 'ca.crt'),
      derPath: join(dir, 'ca.der'),
      keyPath: join(dir, 'ca.key'),
      certPem: await readFile(join(dir, 'ca.crt'), 'utf8'),
    },
    server: { certPath: join(dir, 'server.crt'), keyPath: join(dir, 'server.key') },
    signing: {
      certPath: join(dir, 'token-signing.crt'),
      keyPath: join(dir, 'token-signing.key'),
      certDer: new X509Certificate(signingPem).raw,
      keyPem: await readFile(join(dir, 'token-signing.key'), 'utf8'),
    },
  };
}
