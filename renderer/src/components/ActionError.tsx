import type { FerryErrorEnvelope } from '../../../shared/errors';
import { Callout, ErrorCallout } from './Callout';

/**
 * How a failed call is shown everywhere. UNSUPPORTED means the engine cannot do this yet: say so in
 * place rather than pretend, and keep the rest of the screen usable.
 */
export function ActionError({ error }: { error?: FerryErrorEnvelope }) {
  if (!error) return null;
  if (error.code === 'UNSUPPORTED') return <NotAvailable what={error.message} />;
  return <ErrorCallout error={error} />;
}

export function NotAvailable({ what }: { what?: string }) {
  return (
    <Callout tone="warn" title="Not yet available in this build" hint="The ferry command-line tool may already offer this step.">
      <span className="unavailable">{what ?? 'This step needs an engine feature that this build of Ferry does not have yet.'}</span>
    </Callout>
  );
}
