/**
 * The one human form of a signing key's fingerprint (SHA-256 of its SPKI DER), printed by `mirror` on the
 * connected side and by `verify` on the disconnected side so two people can read it to each other over
 * the phone and compare. Eight groups of four upper-case hex digits (the first 128 bits), as SSH and Signal
 * show theirs: short enough to read aloud, far too long to forge a match for. Pure: the renderer shows it too.
 */
const SHOWN_HEX_DIGITS = 32;
const GROUP = 4;

/**
 * `hex` is the full SHA-256 (64 hex digits, optionally prefixed `sha256:` or `SHA256:`), or an already
 * formatted fingerprint: formatting is idempotent, so a caller cannot print it wrong by formatting twice.
 */
export function formatFingerprint(hex: string): string {
  const digits = hex.replace(/^sha256:/i, '').replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length < SHOWN_HEX_DIGITS) {
    throw new Error(`not a SHA-256 fingerprint: ${JSON.stringify(hex.slice(0, 80))}`);
  }
  const shown = digits.slice(0, SHOWN_HEX_DIGITS).toUpperCase();
  const groups: string[] = [];
  for (let i = 0; i < shown.length; i += GROUP) groups.push(shown.slice(i, i + GROUP));
  return groups.join(' ');
}

/**
 * A fingerprint an operator typed or pasted (`--trust`, the import journey): the printed form (groups of
 * four, spaces or colons, any case), or the full SHA-256, optionally `sha256:`-prefixed. Returns its hex
 * digits in lower case (32 or 64 of them), or undefined when the text is not a fingerprint at all.
 */
export function parseFingerprint(text: string): string | undefined {
  const digits = text.trim().replace(/^sha256:/i, '').replace(/[\s:]+/g, '');
  if (!/^[0-9a-fA-F]+$/.test(digits)) return undefined;
  return digits.length === SHOWN_HEX_DIGITS || digits.length === 64 ? digits.toLowerCase() : undefined;
}
