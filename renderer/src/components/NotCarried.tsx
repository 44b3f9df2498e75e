import type { FailedImage } from '../../../shared/transfer/manifest';
import { Callout } from './Callout';

/** Images a transfer asked for but does not carry (keep going): in the export plan, and wherever a transfer is shown. */
export function NotCarried({ failed, title, hint }: { failed: readonly FailedImage[] | undefined; title: string; hint: string }) {
  if (!failed?.length) return null;
  return (
    <Callout tone="warn" title={title} hint={hint}>
      <ul data-testid="not-carried">
        {failed.map((f) => (
          <li key={f.ref}>
            <span className="mono">{f.ref}</span>: {f.message} <span className="muted mono">{f.code}</span>
          </li>
        ))}
      </ul>
    </Callout>
  );
}
