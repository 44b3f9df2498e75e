import { useEffect, useState } from 'react';
import type { Job } from '../../shared/api/jobs';
import { toEnvelope, type FerryErrorEnvelope } from '../../shared/errors';
import { getApi } from './api';
import { emptyTrace, foldTrace, type TransferTrace } from './transfer-trace';

/** What a screen knows about one job: the DTO from the privileged side plus progress seen so far. */
export interface JobView {
  job?: Job;
  error?: FerryErrorEnvelope;
  /** Progress events since this screen started following the job: rate, volumes, images in flight. */
  trace: TransferTrace;
}

/**
 * Follows a job by id: loads it (after a reload too: jobs outlive the page), then applies
 * `jobs.changed` and `jobs.progress` events as they arrive.
 */
export function useJob(id: string | undefined): JobView {
  const [view, setView] = useState<JobView>({ trace: emptyTrace() });
  useEffect(() => {
    setView({ trace: emptyTrace() });
    if (!id) return;
    const api = getApi();
    let live = true;
    const offChanged = api.subscribe('jobs.changed', ({ job }) => {
      if (live && job.id === id) setView((v) => ({ ...v, job, error: undefined }));
    });
    const offProgress = api.subscribe('jobs.progress', ({ id: jobId, progress }) => {
      if (!live || jobId !== id) return;
      setView((v) => ({ ...v, trace: foldTrace(v.trace, progress, Date.now()), job: v.job && { ...v.job, progress } }));
    });
    api.jobs.get({ id }).then(
      (job) => live && setView((v) => ({ ...v, job: v.job ?? job })),
      (e: unknown) => live && setView((v) => ({ ...v, error: toEnvelope(e) })),
    );
    return () => {
      live = false;
      offChanged();
      offProgress();
    };
  }, [id]);
  return view;
}

/** Every job, newest first, kept current by `jobs.changed`. */
export function useJobList(): { jobs?: Job[]; error?: FerryErrorEnvelope; reload: () => void } {
  const [state, setState] = useState<{ jobs?: Job[]; error?: FerryErrorEnvelope }>({});
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    const api = getApi();
    let live = true;
    api.jobs.list().then(
      ({ jobs }) => live && setState({ jobs }),
      (e: unknown) => live && setState({ error: toEnvelope(e) }),
    );
    const off = api.subscribe('jobs.changed', ({ job }) => {
      if (!live) return;
      setState((s) => {
        if (!s.jobs) return s;
        const rest = s.jobs.filter((j) => j.id !== job.id);
        return { jobs: [job, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
      });
    });
    return () => {
      live = false;
      off();
    };
  }, [nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
