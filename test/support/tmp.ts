import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  path: string;
  /** Removes the directory and everything in it. Safe to call more than once. */
  cleanup(): Promise<void>;
}

/**
 * A fresh directory under the OS temp dir. Synchronous on purpose: a test can create it at module
 * or `before` level without ordering surprises, and `await tempDir(...)` works all the same.
 */
export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `ferry-${prefix.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
  return {
    path,
    cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 3 }),
  };
}
