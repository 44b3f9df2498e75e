import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import { FerryError } from '../../../shared/errors';

/**
 * Which directories the `fs.*` API may touch in this session.
 *
 * Threat model. The API's caller is the renderer: trusted to carry what the operator asked for, not to
 * be free of bugs or of content from hostile places. Paths reach it from typed fields, from transfer
 * media (transfer.json is written by whoever prepared the disk) and from job history; in serve mode a
 * page that gets the token can call anything. Without a rule, one wrong path turns "save this YAML"
 * into overwriting ~/.bashrc or, with a client-chosen mode, planting a setuid file (issue 15). So:
 *
 * - a path is usable only inside a directory the operator chose in this session: a native dialog's
 *   answer (Electron), or a path they typed and confirmed, which the UI hands to `fs.allow` as its own
 *   explicit call; plus the app's data directory. Nothing is granted by default, grants die with the
 *   process, and a filesystem root ("/", "C:\") is never granted (that would grant everything);
 * - `read` grants stat/free-space; `write` grants those and file writes;
 * - checks run on the canonical path (every existing symlink resolved, the file's own name included),
 *   so a link inside a granted directory cannot lead out of it; the write itself goes through a fresh
 *   temp file (O_EXCL) renamed into place, so nothing half-written or pre-planted is ever opened;
 * - the file mode is never the client's: 0600 for secrets, 0644 for everything else.
 *
 * This narrows what a confused or injected call can reach; it does not make a page that can run
 * script in serve mode harmless (it could call `fs.allow` too) — the token, the Origin check and the
 * CSP are what keep script out.
 */

export type Access = 'read' | 'write';

export class PathGrants {
  private readonly roots = new Map<string, Access>();

  /** A session's grants: the app's own data directory, nothing else until the operator chooses. */
  static async forSession(dataDir: string): Promise<PathGrants> {
    const grants = new PathGrants();
    await grants.allow(dataDir, 'write');
    return grants;
  }

  /** Grants `dir` (resolved to its canonical form) and returns that form. */
  async allow(dir: string, access: Access): Promise<string> {
    const canonical = await canonicalPath(absolute(dir));
    if (parse(canonical).root === canonical) {
      throw new FerryError('FORBIDDEN', `Ferry does not take a whole file system (${canonical}) as a working directory.`, {
        hint: 'Choose a folder on it instead, e.g. /run/media/USER/USB/ferry.',
      });
    }
    // A write grant is never narrowed back to read by a later read grant of the same directory.
    if (this.roots.get(canonical) !== 'write') this.roots.set(canonical, access);
    return canonical;
  }

  /** The canonical path when it lies inside a directory granted for `access`; FORBIDDEN otherwise. */
  async check(path: string, access: Access): Promise<string> {
    const canonical = await canonicalPath(absolute(path));
    for (const [root, granted] of this.roots) {
      if ((granted === 'write' || access === 'read') && isInside(canonical, root)) return canonical;
    }
    throw new FerryError('FORBIDDEN', `${canonical} is outside the folders chosen in this session, so Ferry will not ${access === 'write' ? 'write' : 'look at'} it.`, {
      hint: 'Choose the folder first (type it in a path field and confirm, or use Browse…), then try again.',
      details: { path: canonical, access },
    });
  }
}

export function absolute(path: string): string {
  if (!isAbsolute(path) || path.includes('\0')) {
    throw new FerryError('INVALID_INPUT', `"${path}" is not an absolute path.`, { hint: 'Give the full path, e.g. /run/media/USER/USB or D:\\ferry.' });
  }
  return resolve(path);
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** realpath of the deepest existing ancestor, plus the components that do not exist yet. */
export async function canonicalPath(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}
