import { resolve } from 'node:path';
import type { JobStart } from '../../shared/api/jobs';

/** What a job works on: two live jobs with the same key would trample each other's output. */
export function jobKey(job: JobStart): string {
  switch (job.kind) {
    case 'mirror':
      return `dir:${resolve(job.params.toDir)}`;
    case 'push':
      return `registry:${job.params.to.replace(/\/+$/, '')}`;
    case 'verify':
      return `verify:${resolve(job.params.dir)}`;
    case 'extract':
      return `dir:${resolve(job.params.toDir)}`;
    case 'copy':
      return `copy:${job.params.destination}`;
  }
}

export function jobTitle(job: JobStart): string {
  switch (job.kind) {
    case 'mirror': {
      const path = job.params.releases?.length ? ` (upgrade path of ${job.params.releases.length + 1} releases)` : '';
      const what = job.params.release ? `${job.params.release}${path}` : `${job.params.images.length} image(s)`;
      return `Mirror ${what} to ${job.params.toDir}`;
    }
    case 'push':
      return `Push ${job.params.fromDir} to ${job.params.to}`;
    case 'verify':
      return `Verify ${job.params.dir}${job.params.against ? ` against ${job.params.against}` : ''}`;
    case 'extract':
      return `Extract ${job.params.command} from ${job.params.fromDir ?? job.params.release} to ${job.params.toDir}`;
    case 'copy':
      return `Copy ${job.params.source} to ${job.params.destination}`;
  }
}
