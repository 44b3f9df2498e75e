import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jobSchema, type Job } from '../../shared/api/jobs';
import { writeFileAtomic } from '../engine/trust/secret-file';

/**
 * Past and current jobs as one JSON file each under the app's data dir, so history and reports
 * survive a restart. Only redacted DTOs reach this class. Written atomically (writeFileAtomic): a crash
 * leaves the previous version, never half a file.
 */
export class JobHistory {
  constructor(readonly dir: string) {}

  async load(): Promise<Job[]> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const jobs: Job[] = [];
    for (const name of await readdir(this.dir)) {
      if (!/^[\w-]+\.json$/.test(name)) continue;
      try {
        const parsed = jobSchema.safeParse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
        if (parsed.success) jobs.push(parsed.data);
      } catch {
        // An unreadable history entry is skipped rather than blocking the app from starting.
      }
    }
    return jobs;
  }

  async save(job: Job): Promise<void> {
    await writeFileAtomic(join(this.dir, `${job.id}.json`), `${JSON.stringify(job, null, 2)}\n`, 0o600);
  }
}
