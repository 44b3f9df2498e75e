import type { JobStart } from './jobs';

/**
 * The local paths a job reads or writes. The host starts a job only when each lies in a folder chosen
 * in this session (electron/host/handlers/path-grants.ts): a job writes volumes, receipts and
 * binaries, so "Start" on a path the operator typed is where that path is confirmed (the UI's
 * JobStarter grants them as it starts the job), and a call that names any other path is refused.
 */
export interface JobPath {
  path: string;
  access: 'read' | 'write';
}

/** `oci:DIR[:REF]` → DIR; a registry reference (docker://…) is not a local path. */
function ociDir(spec: string): string | undefined {
  if (!spec.startsWith('oci:')) return undefined;
  const rest = spec.slice('oci:'.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? rest : rest.slice(0, colon);
}

export function jobPaths(job: JobStart): JobPath[] {
  const out: JobPath[] = [];
  const add = (path: string | undefined, access: JobPath['access']) => {
    if (path) out.push({ path, access });
  };
  switch (job.kind) {
    case 'mirror':
      add(job.params.toDir, 'write');
      add(job.params.since, 'read');
      break;
    case 'push':
      // The push journal and the default receipt live beside the transfer.
      add(job.params.fromDir, 'write');
      add(job.params.receipt, 'write');
      break;
    case 'verify':
      add(job.params.dir, 'read');
      break;
    case 'extract':
      add(job.params.fromDir, 'read');
      add(job.params.toDir, 'write');
      break;
    case 'copy':
      add(ociDir(job.params.source), 'read');
      add(ociDir(job.params.destination), 'write');
      break;
  }
  return out;
}
