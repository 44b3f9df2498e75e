import { createServer, type Server } from 'node:https';
import { readFile } from 'node:fs/promises';
import { createPki } from './pki';
import { tempDir } from './tmp';
import { listenOnLoopback } from './loopback';

/**
 * A release signature store as the cluster-version operator and `oc` read one (containers/image
 * docs/signature-protocols.md; openshift/library-go pkg/verify/store/sigstore): HTTPS with its own throwaway
 * CA, `GET <url>/sha256=<hex>/signature-<n>` answers the bytes put there, anything else 404.
 */
export interface SignatureStore {
  /** Base URL, with a path like the public store's. */
  url: string;
  host: string;
  /** The store's own CA (PEM): trusted with --ca-file, as a corporate store's CA would be. */
  caPath: string;
  put(digest: string, index: number, bytes: Uint8Array): void;
  /** Paths requested, in order. */
  requests(): string[];
  close(): Promise<void>;
}

const BASE_PATH = '/pub/openshift-v4/signatures/openshift/release';

export async function startSignatureStore(): Promise<SignatureStore> {
  const dir = tempDir('signature-store');
  const pki = await createPki(dir.path);
  const files = new Map<string, Uint8Array>();
  const log: string[] = [];
  const server: Server = createServer({ key: await readFile(pki.server.keyPath), cert: await readFile(pki.server.certPath) }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://store').pathname;
    log.push(path);
    const body = req.method === 'GET' ? files.get(path) : undefined;
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(Buffer.from(body));
  });
  const host = await listenOnLoopback(server);
  let closed: Promise<void> | undefined;
  return {
    url: `https://${host}${BASE_PATH}`,
    host,
    caPath: pki.ca.certPath,
    put(digest, index, bytes) {
      files.set(`${BASE_PATH}/${digest.replace(':', '=')}/signature-${index}`, bytes);
    },
    requests: () => [...log],
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => dir.cleanup());
      return closed;
    },
  };
}
