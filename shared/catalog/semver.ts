/**
 * The semver OLM uses for bundle versions and `skipRange` / `olm.package.required` ranges: blang/semver v4
 * (operator-registry `alpha/model/model.go` parses versions with `semver.Parse`, OLM matches ranges with
 * `semver.ParseRange`). Versions are strict `MAJOR.MINOR.PATCH[-PRE][+BUILD]`; a range is comparators joined by
 * spaces (AND) and `||` (OR); a comparator is `>`, `>=`, `<`, `<=`, `=`, `==`, `!`, `!=` or nothing (equal)
 * before a version. Build metadata does not take part in comparisons (semver 2.0 §10).
 */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: Array<string | number>;
}

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** A version, or undefined when it is not strict semver (blang `semver.Parse`: no leading `v`). */
export function parseSemVer(input: string): SemVer | undefined {
  const m = VERSION.exec(input.trim());
  if (!m) return undefined;
  const pre = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre };
}

/** Semver 2.0 precedence (§11): numbers, then a pre-release sorts before its release, identifiers compared field by field. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares two version strings; strings that are not semver sort before every version, among themselves by text. */
export function compareVersionStrings(a: string, b: string): number {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  if (x && y) return compareSemVer(x, y);
  if (x) return 1;
  if (y) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

type Comparator = { op: '<' | '<=' | '>' | '>=' | '=' | '!='; version: SemVer };

/** A parsed range: OR of ANDs of comparators. */
export type SemVerRange = Comparator[][];

const OPS: Record<string, Comparator['op']> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '=': '=', '==': '=', '': '=', '!': '!=', '!=': '!=' };

/** Parses a blang range (`>=4.1.0 <4.2.0`, `<1.0.0 || >=2.0.0`), or undefined when it is not one. */
export function parseRange(input: string): SemVerRange | undefined {
  const alternatives = input.split('||').map((part) => part.trim());
  const out: SemVerRange = [];
  for (const alt of alternatives) {
    if (alt === '') return undefined;
    const comparators: Comparator[] = [];
    // blang allows a space between operator and version (`>= 1.0.0`): join them before splitting.
    const tokens = alt.replace(/([<>=!]+)\s+/g, '$1').split(/\s+/);
    for (const token of tokens) {
      const m = /^([<>=!]*)(.+)$/.exec(token);
      const op = m ? OPS[m[1]!] : undefined;
      const version = m ? parseSemVer(m[2]!) : undefined;
      if (!op || !version) return undefined;
      comparators.push({ op, version });
    }
    out.push(comparators);
  }
  return out;
}

function satisfies(v: SemVer, c: Comparator): boolean {
  const cmp = compareSemVer(v, c.version);
  switch (c.op) {
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
  }
}

export function inRange(version: SemVer, range: SemVerRange): boolean {
  return range.some((all) => all.every((c) => satisfies(version, c)));
}

/** `version` (a string) in `range` (a string); false when either does not parse, as OLM matches nothing then. */
export function versionInRange(version: string, range: string): boolean {
  const v = parseSemVer(version);
  const r = parseRange(range);
  return v !== undefined && r !== undefined && inRange(v, r);
}
