import type { ReactNode } from 'react';
import type { FerryErrorEnvelope } from '../../../shared/errors';

type Tone = 'error' | 'warn' | 'ok' | 'info';

export function Callout({ tone, title, children, hint }: { tone: Tone; title?: ReactNode; children?: ReactNode; hint?: ReactNode }) {
  // Errors interrupt (alert); everything else is announced politely.
  return (
    <div className={`callout callout-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title ? <p className="title">{title}</p> : null}
      {children ? <div>{children}</div> : null}
      {hint ? (
        <p className="hint">
          <strong>What to do: </strong>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A FerryError as the operator sees it: what happened, then what to do. */
export function ErrorCallout({ error }: { error: FerryErrorEnvelope }) {
  return (
    <Callout tone="error" title={error.message} hint={error.hint}>
      <span className="visually-hidden">Error code </span>
      <span className="muted mono">{error.code}</span>
    </Callout>
  );
}
