import type tar from 'tar-stream';

/**
 * Why a tar entry must not be extracted, or undefined when it is a plain file or directory inside the
 * archive's root: links, devices, absolute paths and `..` could write anywhere an extracting tool reaches.
 * Ferry's own volumes are checked by this rule (verify.ts), and so is any archive a server hands it.
 */
export function unsafeEntryReason(header: tar.Header): string | undefined {
  const name = header.name;
  if (header.type === 'symlink' || header.type === 'link') return `a ${header.type === 'link' ? 'hard link' : 'symbolic link'} (to ${header.linkname ?? '?'})`;
  if (header.type !== 'file' && header.type !== 'contiguous-file' && header.type !== 'directory') return `a ${header.type} entry`;
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return 'an absolute path';
  if (name.split(/[\\/]/).includes('..')) return "a path that climbs out of the directory ('..')";
  return undefined;
}
