import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, connect, rootCertificates, type PeerCertificate } from 'node:tls';
import { FerryError } from '../../../shared/errors';
import { tunnelTo } from '../net/connections';
import type { ProxyConfig } from '../net/proxy';
import { describeCertificate, type CertificateInfo } from './certificates';

export interface TlsCheckOptions {
  host: string;
  port: number;
  /** Extra trusted CAs (PEM); the system roots are trusted too, nothing else. */
  caPems: string[];
  /** Through the proxy when its settings route https://HOST:PORT there; direct when absent. */
  proxy?: ProxyConfig;
  timeoutMs?: number;
  now?: Date;
}

export interface TlsCheckResult {
  host: string;
  port: number;
  /** The server's chain verifies against the given CAs plus the system roots. */
  chainVerified: boolean;
  /** OpenSSL's reason when the chain does not verify, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
  chainError?: string;
  /** The leaf certificate names `host` (DNS or IP SAN). */
  nameMatches: boolean;
  nameError?: string;
  /** Leaf first, as the server sent it. */
  chain: CertificateInfo[];
  /** chainVerified, nameMatches and no certificate of the chain expired. */
  ok: boolean;
}

function peerChain(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let cur: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf;
  // Node links the last certificate to itself; stop at the first repeat.
  while (cur && cur.raw && !seen.has(cur.fingerprint256)) {
    seen.add(cur.fingerprint256);
    out.push(new X509Certificate(cur.raw));
    cur = cur.issuerCertificate as typeof cur;
  }
  return out;
}

/**
 * Connects to a registry with TLS and reports, without sending any HTTP, whether a client that trusts the given
 * CAs would accept it: chain, host name, expiry. A failed verification is a result, not an exception; only an
 * unreachable endpoint throws.
 */
export async function checkRegistryTls(opts: TlsCheckOptions): Promise<TlsCheckResult> {
  const tunnel = opts.proxy ? await tunnelTo(opts.host, opts.port, opts.proxy, opts.timeoutMs ?? 15_000) : undefined;
  return checkOver(opts, tunnel);
}

function checkOver(opts: TlsCheckOptions, tunnel: Duplex | undefined): Promise<TlsCheckResult> {
  const { host, port } = opts;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(tunnel ? { socket: tunnel } : {}),
      ca: [...rootCertificates, ...opts.caPems],
      // Verification is judged below so that a failure can be explained rather than just refused.
      rejectUnauthorized: false,
      // SNI must not carry an IP address (RFC 6066).
      ...(isIP(host) ? {} : { servername: host }),
    });
    socket.setTimeout(opts.timeoutMs ?? 15_000, () => {
      socket.destroy(new FerryError('UNREACHABLE', `No TLS answer from ${host}:${port} within ${Math.round((opts.timeoutMs ?? 15_000) / 1000)} s.`, { hint: 'Check the host, the port and any firewall between here and the registry.' }));
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof FerryError) return reject(e);
      reject(new FerryError('UNREACHABLE', `Cannot open a TLS connection to ${host}:${port}: ${e.code ?? e.message}.`, { hint: 'Check the host name, the port, that the registry runs with TLS, and the firewall (seed 001: port 5000/tcp).', cause: e }));
    });
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true);
      const chain = peerChain(leaf).map((c) => describeCertificate(c, opts.now));
      const identityError = checkServerIdentity(host, leaf);
      const authError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      // Node folds the host name check into `authorized`; the chain itself is fine when only the name failed.
      const chainVerified = socket.authorized || authError === 'ERR_TLS_CERT_ALTNAME_INVALID';
      const chainError = chainVerified ? undefined : authError;
      socket.end();
      const result: TlsCheckResult = {
        host,
        port,
        chainVerified,
        nameMatches: identityError === undefined,
        chain,
        ok: chainVerified && identityError === undefined && !chain.some((c) => c.status === 'expired' || c.status === 'not-yet-valid'),
      };
      if (chainError !== undefined) result.chainError = chainError;
      if (identityError !== undefined) result.nameError = identityError.message;
      resolve(result);
    });
  });
}
