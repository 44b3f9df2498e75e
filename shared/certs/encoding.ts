/**
 * Base64 and PEM without Node's Buffer: these run in the renderer for live previews as well as in the engine.
 */

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list short for large signatures.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function utf8ToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** Strict standard base64 (padding required, no white space); undefined when `text` is not that. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (!B64_RE.test(text)) return undefined;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order; a block whose body is not base64 is reported by label and index. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const label = m[1]!;
    const der = base64ToBytes((m[2] ?? '').replace(/\s+/g, ''));
    if (der === undefined) throw new Error(`PEM block ${out.length + 1} (${label}) does not hold valid base64`);
    out.push({ label, der });
  }
  return out;
}

export function toPem(label: string, der: Uint8Array): string {
  const body = bytesToBase64(der).replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
