import { apiMethods } from '../../../shared/api/contract';
import type { Job } from '../../../shared/api/jobs';
import { describeCounts } from '../../../shared/transfer/verify-report';
import { Callout } from './Callout';
import { CodeBlock } from './CodeBlock';
import { shortenDigests } from '../../../shared/format';
import { Digest } from './Digest';
import { Table } from './Table';

const verifySchema = apiMethods['transfer.verify'].response;

/** A verify job's report: the result when it passed, carried in the error details when it found problems. */
export function verifyJobReport(job: Job): unknown {
  return job.report ?? job.error?.details?.report;
}

const SIGNATURE_PROBLEM = /^SIGNATURE_/;

function problemHint(problems: ReadonlyArray<{ code: string }>): string {
  return problems.every((p) => SIGNATURE_PROBLEM.test(p.code))
    ? 'The signature of transfer.json was not accepted, so nothing else was checked: see who signed the media, decide whether to accept them, then verify again.'
    : 'Do not use this data. Copy the named volume again from the connected side (or re-run the export), then verify again.';
}

/**
 * A verification result as a table naming, for each problem, the volume, the blob and the images that need
 * it, in words. A report of another shape (a newer engine) is shown as JSON rather than guessed at.
 */
export function VerifyReport({ report, subject }: { report: unknown; subject: string }) {
  const parsed = verifySchema.safeParse(report);
  if (!parsed.success) return <CodeBlock name="Verification report" fileName="verify-report.json" text={JSON.stringify(report, null, 2)} />;
  const r = parsed.data;
  const counts = describeCounts(r.counts);
  return (
    <>
      {r.ok ? (
        <Callout tone="ok" title={`${subject}: everything checked out.`}>
          {counts ? <p>Checked {counts}.</p> : null}
        </Callout>
      ) : (
        <Callout tone="error" title={`${subject}: ${r.problems.length} problem(s) found.`} hint={problemHint(r.problems)}>
          {counts ? <p>Checked {counts}.</p> : null}
        </Callout>
      )}
      {r.problems.length > 0 ? (
        <Table
          caption="Problems"
          rows={r.problems}
          rowKey={(p) => `${p.code}:${p.volume ?? ''}:${p.blob ?? ''}:${p.image ?? ''}:${p.message}`}
          columns={[
            {
              header: 'Problem and the images that need it',
              cell: (p) => (
                <>
                  {sentence(p.message)}
                  <ImagesNeeding images={p.image ? [p.image] : (p.images ?? [])} />
                </>
              ),
            },
            { header: 'Volume', cell: (p) => (p.volume ? <span className="mono nowrap">{p.volume}</span> : NONE) },
            { header: 'Blob', cell: (p) => (p.blob ? <Digest value={p.blob} what="blob" /> : NONE) },
          ]}
        />
      ) : null}
    </>
  );
}

const NONE = <span className="muted">none</span>;

/** The engine's message as a sentence: capitalised, digests shortened (the Blob column copies the whole one). */
function sentence(message: string): string {
  const text = shortenDigests(message);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

function ImagesNeeding({ images }: { images: string[] }) {
  if (images.length === 0) return <p className="muted">No image needs it.</p>;
  return (
    <>
      <p className="muted">{images.length === 1 ? 'Needed by this image:' : `Needed by these ${images.length} images:`}</p>
      <ul className="plain">
        {images.map((i) => (
          <li key={i} className="mono">
            {i}
          </li>
        ))}
      </ul>
    </>
  );
}
