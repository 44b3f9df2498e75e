import { X509Certificate } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { FerryError } from '../../../shared/errors';

/**
 * TLS trust per registry, as containers/image and docker decide it: the system roots, plus CAs
 * given with --ca-file, plus `certs.d/HOST:PORT/*.crt` from --cert-dir or else the standard
 * directories. A client certificate pair (`*.cert` + `*.key`) in the same directory is used for
 * mutual TLS.
 */
export interface HostTrust {
  /** PEM certificates to trust; undefined means the system roots only. */
  ca?: string[];
  cert?: string;
  key?: string;
}

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM (one or several certificates) or DER bytes → PEM strings. Throws INVALID_INPUT naming `file`. */
export function certificatesToPem(bytes: Buffer, file: string): string[] {
  const text = bytes.toString('latin1');
  const pems = text.includes('-----BEGIN') ? (text.match(PEM_RE) ?? []) : [];
  try {
    if (pems.length > 0) return pems.map((p) => new X509Certificate(p).toString());
    if (!text.includes('-----BEGIN')) return [new X509Certificate(bytes).toString()];
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `${file} does not hold a readable certificate: ${(e as Error).message}.`, {
      hint: 'Give a CA certificate in PEM (-----BEGIN CERTIFICATE-----) or DER form.',
      cause: e,
    });
  }
  throw new FerryError('INVALID_INPUT', `${file} has no certificate in it.`, {
    hint: 'Give a CA certificate in PEM (-----BEGIN CERTIFICATE-----) or DER form.',
  });
}

function defaultCertDirs(home = homedir()): string[] {
  return ['/etc/containers/certs.d', join(home, '.config/containers/certs.d'), '/etc/docker/certs.d'];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export class TrustStore {
  private readonly byHost = new Map<string, HostTrust>();

  private constructor(
    private readonly extraCas: string[],
    private readonly certDirs: string[],
  ) {}

  /** Reads every --ca-file now so a bad file fails before any transfer starts. */
  static async load(opts: { caFiles: string[]; caPems?: string[]; certDir?: string }): Promise<TrustStore> {
    // CAs handed over in memory (the app's trusted CAs) need no file.
    const cas: string[] = (opts.caPems ?? []).flatMap((pem, i) => certificatesToPem(Buffer.from(pem), `CA #${i + 1} given to the job`));
    for (const file of opts.caFiles) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (e) {
        throw new FerryError('INVALID_INPUT', `Cannot read the CA file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
          hint: 'Check the path given to --ca-file.',
          cause: e,
        });
      }
      cas.push(...certificatesToPem(bytes, file));
    }
    return new TrustStore(cas, opts.certDir !== undefined ? [opts.certDir] : defaultCertDirs());
  }

  /** Trust for `host` (HOST or HOST:PORT as written in the reference). Cached. */
  forHost(host: string): HostTrust {
    let trust = this.byHost.get(host);
    if (!trust) {
      trust = this.build(host);
      this.byHost.set(host, trust);
    }
    return trust;
  }

  private build(host: string): HostTrust {
    const cas = [...this.extraCas];
    const out: HostTrust = {};
    for (const base of this.certDirs) {
      const dir = join(base, host);
      for (const name of listDir(dir)) {
        const path = join(dir, name);
        if (!statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
        if (name.endsWith('.crt')) cas.push(...certificatesToPem(readFileSync(path), path));
        else if (name.endsWith('.cert') && out.cert === undefined) {
          const keyPath = join(dir, `${name.slice(0, -'.cert'.length)}.key`);
          if (statSync(keyPath, { throwIfNoEntry: false })?.isFile()) {
            out.cert = readFileSync(path, 'utf8');
            out.key = readFileSync(keyPath, 'utf8');
          }
        }
      }
    }
    // Node's `ca` replaces the defaults, so the system roots are added back explicitly.
    if (cas.length > 0) out.ca = [...rootCertificates, ...cas];
    return out;
  }
}

const SYSTEM_ROOTS = new Set(rootCertificates);

/**
 * The TLS context for a host's trust, built once and shared by every connection to it. Node's `ca`
 * option parses each of the ~140 system roots again for every context (tens of ms of CPU); starting
 * from the default context, which shares the already-parsed system store, and adding only the
 * extra CAs costs about a millisecond and trusts the same set.
 */
export function secureContextFor(trust: HostTrust): SecureContext {
  const context = createSecureContext(trust.cert ? { cert: trust.cert, key: trust.key } : {});
  for (const pem of trust.ca ?? []) if (!SYSTEM_ROOTS.has(pem)) context.context.addCACert(pem);
  return context;
}
