import { ActionError } from '../components/ActionError';
import { Card } from '../components/Card';
import { CodeBlock } from '../components/CodeBlock';
import { EmptyState } from '../components/EmptyState';
import { JobPanel, JobStateBadge } from '../components/JobPanel';
import { Spinner } from '../components/Spinner';
import { Table } from '../components/Table';
import { formatTime } from '../format';
import { useJob, useJobList } from '../jobs';
import { routeHref } from '../router';

function JobDetail({ id }: { id: string }) {
  const { job } = useJob(id);
  return (
    <>
      <p>
        <a href={routeHref({ screen: 'jobs' })}>← All jobs</a>
      </p>
      <Card title="Job">
        <JobPanel id={id} />
      </Card>
      {job ? (
        <Card title="Parameters and report" subtitle="Secrets are shown as [redacted].">
          <CodeBlock name="Parameters" fileName={`job-${job.id}-params.json`} text={JSON.stringify(job.params, null, 2)} />
          {job.report !== undefined ? <CodeBlock name="Report" fileName={`job-${job.id}-report.json`} text={JSON.stringify(job.report, null, 2)} /> : <p className="muted">No report yet.</p>}
        </Card>
      ) : null}
    </>
  );
}

export function JobsScreen({ id }: { id?: string }) {
  const { jobs, error } = useJobList();
  if (id) return <JobDetail id={id} />;
  return (
    <>
      <h1>Jobs</h1>
      <p className="muted">Jobs keep running when you leave a screen or reload; their reports stay in the history.</p>
      <Card title="History">
        <ActionError error={error} />
        {!jobs && !error ? <Spinner label="Loading jobs…" /> : null}
        {jobs ? (
          <Table
            caption="All jobs, newest first"
            rows={jobs}
            rowKey={(j) => j.id}
            empty={<EmptyState title="No jobs yet">Start an export or an import; its jobs are listed here.</EmptyState>}
            columns={[
              { header: 'Job', cell: (j) => <a href={routeHref({ screen: 'jobs', id: j.id })}>{j.title}</a> },
              { header: 'Kind', cell: (j) => j.kind },
              { header: 'State', cell: (j) => <JobStateBadge state={j.state} /> },
              { header: 'Created', cell: (j) => formatTime(j.createdAt) },
              { header: 'Ended', cell: (j) => (j.endedAt ? formatTime(j.endedAt) : '—') },
            ]}
          />
        ) : null}
      </Card>
    </>
  );
}
