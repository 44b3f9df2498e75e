import { Card } from '../components/Card';
import { EmptyState } from '../components/EmptyState';
import { ActionError } from '../components/ActionError';
import { Spinner } from '../components/Spinner';
import { JobStateBadge } from '../components/JobPanel';
import { formatTime } from '../format';
import { useJobList } from '../jobs';
import { EXPORT_STEPS, IMPORT_STEPS, exportStore, importStore } from '../journeys';
import { routeHref } from '../router';
import { useStore } from '../store';

function resumeLabel(steps: ReadonlyArray<{ key: string; label: string }>, step: string, started: boolean): string {
  if (!started) return 'Start';
  return `Resume at “${steps.find((s) => s.key === step)?.label ?? step}”`;
}

export function StartScreen() {
  const ex = useStore(exportStore);
  const im = useStore(importStore);
  const { jobs, error } = useJobList();
  const exStarted = ex.done.length > 0 || ex.step !== 'credentials';
  const imStarted = im.done.length > 0 || im.step !== 'media';
  return (
    <>
      <h1>What are you doing today?</h1>
      <div className="cards-2">
        <Card title="Export — connected side" subtitle="On a machine with internet access">
          <div className="journey-card">
            <p>Read the pull secret, pick an OpenShift release and extra images, and write verified volumes to removable media.</p>
            <a className="btn btn-primary" href={routeHref({ screen: 'export', step: ex.step })}>
              {resumeLabel(EXPORT_STEPS, ex.step, exStarted)}
              <span className="visually-hidden"> the export journey</span>
            </a>
          </div>
        </Card>
        <Card title="Import — disconnected side" subtitle="Inside the air-gapped network">
          <div className="journey-card">
            <p>Check the media, push it into the mirror registry, verify it there and get the cluster configuration to apply.</p>
            <a className="btn btn-primary" href={routeHref({ screen: 'import', step: im.step })}>
              {resumeLabel(IMPORT_STEPS, im.step, imStarted)}
              <span className="visually-hidden"> the import journey</span>
            </a>
          </div>
        </Card>
      </div>
      <Card title="Recent jobs" actions={<a href={routeHref({ screen: 'jobs' })}>All jobs</a>}>
        {error ? <ActionError error={error} /> : null}
        {!jobs && !error ? <Spinner label="Loading jobs…" /> : null}
        {jobs && jobs.length === 0 ? <EmptyState title="No jobs yet">Transfers, pushes and verifications you start appear here, with their reports.</EmptyState> : null}
        {jobs && jobs.length > 0 ? (
          <ul>
            {jobs.slice(0, 5).map((j) => (
              <li key={j.id}>
                <a href={routeHref({ screen: 'jobs', id: j.id })}>{j.title}</a> <JobStateBadge state={j.state} /> <span className="muted">{formatTime(j.createdAt)}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </Card>
    </>
  );
}
