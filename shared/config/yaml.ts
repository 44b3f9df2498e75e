import { stringify } from 'yaml';

/**
 * YAML as `oc` and the docs write it: keys in insertion order, sequences not indented under their
 * key, no anchors/aliases even when one array is reused, no line folding, and multi-line strings
 * (PEM) as literal blocks.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { indentSeq: false, aliasDuplicateObjects: false, lineWidth: 0, blockQuote: 'literal' });
}

/** Output of every generator: the text to write and the object it encodes (for tests and live preview). */
export interface Generated<T> {
  text: string;
  object: T;
}
