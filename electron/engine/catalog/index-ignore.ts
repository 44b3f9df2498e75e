/**
 * `.indexignore` files, which operator-registry's loader honours (`alpha/declcfg/load.go`, gitignore
 * syntax): a file any of them ignores is not part of the catalog. Each file's patterns apply below its own
 * directory. Supported: comments, blank lines, `!` negation (last match wins), a trailing `/` for
 * directories only, a leading or inner `/` anchoring to that directory, and `*`, `?`, `**` globs.
 */
interface Rule {
  dir: string;
  negate: boolean;
  dirOnly: boolean;
  anchored: boolean;
  regex: RegExp;
}

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a lone `**` anything.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export class IndexIgnore {
  private readonly rules: Rule[] = [];

  /** Adds the patterns of the `.indexignore` in directory `dir` (a path as tar names it, no leading slash). */
  add(dir: string, text: string): void {
    for (const raw of text.split('\n')) {
      let line = raw.replace(/\s+$/, '');
      if (line === '' || line.startsWith('#')) continue;
      const negate = line.startsWith('!');
      if (negate) line = line.slice(1);
      const dirOnly = line.endsWith('/');
      if (dirOnly) line = line.slice(0, -1);
      const anchored = line.includes('/');
      line = line.replace(/^\//, '');
      if (line === '') continue;
      this.rules.push({ dir, negate, dirOnly, anchored, regex: globToRegex(line) });
    }
  }

  /** True when `path` (a file) is ignored. */
  ignores(path: string): boolean {
    let ignored = false;
    for (const rule of this.rules) {
      const prefix = rule.dir === '' ? '' : `${rule.dir}/`;
      if (!path.startsWith(prefix)) continue;
      const parts = path.slice(prefix.length).split('/');
      // The file itself and each directory above it, up to the rule's directory.
      let matched = false;
      for (let n = parts.length; n >= 1 && !matched; n--) {
        if (rule.dirOnly && n === parts.length) continue;
        const candidate = rule.anchored ? parts.slice(0, n).join('/') : parts[n - 1]!;
        matched = rule.regex.test(candidate);
      }
      if (matched) ignored = !rule.negate;
    }
    return ignored;
  }
}
