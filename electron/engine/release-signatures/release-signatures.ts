import { createHash } from 'node:crypto';
import { FerryError } from '../../../shared/errors';
import type { ReleaseSignature, ReleaseSignatures } from '../../../shared/transfer/manifest';
import type { EngineContext } from '../context';
import { readBoundedFile } from '../trust/input-file';
import { readKeyring } from './keyring';
import { RED_HAT_RELEASE_KEYRING } from './red-hat-keyring';
import { dispatcherFor } from '../net/connections';
import { DEFAULT_SIGNATURE_STORES, fetchStoreSignatures, parseStoreUrl, STORE_TIMEOUT_MS } from './store';
import { verifyReleaseSignature } from './verify-release-signature';

/**
 * The connected side's half of release signatures: read them from the signature store, keep the ones the
 * keyring verifies (what the disconnected cluster-version operator will accept), and say why when a release
 * travels without one. Nothing here fails a mirror: a missing or unreadable signature is a warning the plan
 * shows, never silence.
 */
export interface SignatureOptions {
  /** Stores tried in order until one holds signatures for the release (default: the public stores). */
  stores?: string[];
  /** The keyring that must have signed (default: Red Hat's release keys, as the cluster trusts them). */
  keyring?: Uint8Array;
}

export async function releaseSignatures(ctx: EngineContext, digest: string, opts: SignatureOptions): Promise<ReleaseSignatures> {
  const stores = opts.stores?.length ? opts.stores : DEFAULT_SIGNATURE_STORES;
  const urls = stores.map(parseStoreUrl);
  const keyring = await readKeyring(opts.keyring ?? new TextEncoder().encode(RED_HAT_RELEASE_KEYRING));
  const warnings: string[] = [];
  const empty: string[] = [];
  for (const [i, store] of stores.entries()) {
    // Through the route every other connection takes (proxy or direct), trusting the store as a registry.
    const dispatcher = dispatcherFor(urls[i]!, { proxy: ctx.proxy, trust: ctx.trust, connections: 1, timeoutMs: STORE_TIMEOUT_MS });
    let found;
    try {
      found = await fetchStoreSignatures(store, digest, { dispatcher, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    } catch (e) {
      if (ctx.signal?.aborted) throw e;
      warnings.push(`Could not read release signatures from ${store}: ${(e as FerryError).message}`);
      continue;
    } finally {
      await dispatcher.close().catch(() => undefined);
    }
    if (found.length === 0) {
      empty.push(store);
      continue;
    }
    const signatures: ReleaseSignature[] = [];
    for (const sig of found) {
      try {
        const check = await verifyReleaseSignature({ signature: sig.bytes, keyring, digest });
        signatures.push({
          index: sig.index,
          data: Buffer.from(sig.bytes).toString('base64'),
          sha256: createHash('sha256').update(sig.bytes).digest('hex'),
          keyFingerprint: check.keyFingerprint.toLowerCase(),
          identity: check.claims.dockerReference,
        });
      } catch (e) {
        if (!(e instanceof FerryError)) throw e;
        warnings.push(`${sig.url} was not carried: ${e.message}`);
      }
    }
    if (signatures.length === 0) warnings.push(noneCarried(digest));
    return { digest, store, signatures, warnings };
  }
  if (empty.length > 0) warnings.push(`The signature store${empty.length > 1 ? 's' : ''} ${empty.join(', ')} hold${empty.length > 1 ? '' : 's'} no signature for ${digest}.`);
  warnings.push(noneCarried(digest));
  return { digest, signatures: [], warnings };
}

function noneCarried(digest: string): string {
  return `Release ${digest} travels without a verified signature: the cluster-version operator will not update to it unless a signature ConfigMap is applied by hand or the update is forced.`;
}

/** The options as the CLI and the app's settings give them: store URLs checked and the keyring file read now, before any mirroring. */
export async function signatureOptionsFrom(input: { stores?: readonly string[]; keyringFile?: string }): Promise<SignatureOptions> {
  for (const store of input.stores ?? []) parseStoreUrl(store);
  const keyring = input.keyringFile !== undefined ? await readBoundedFile(input.keyringFile, 'signature keyring', 1024 * 1024) : undefined;
  // A keyring that cannot be read must fail now, not after the plan.
  if (keyring) await readKeyring(keyring);
  return { ...(input.stores?.length ? { stores: [...input.stores] } : {}), ...(keyring ? { keyring } : {}) };
}
