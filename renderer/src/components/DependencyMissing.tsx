import type { MissingDependency } from '../../../shared/catalog/resolve';
import { formatRequirement } from '../../../shared/catalog/resolve';
import type { FerryErrorEnvelope } from '../../../shared/errors';
import { Button } from './Button';
import { Callout } from './Callout';

/**
 * The dependency preflight's refusal (code DEPENDENCY_MISSING) in words: which picked operator needs what,
 * which bundles of the catalog provide it, and the fix the app offers (add them) instead of the CLI's flags.
 */
export function DependencyMissing({ error, onAddDependencies }: { error: FerryErrorEnvelope; onAddDependencies: () => void }) {
  const missing = (error.details?.missing ?? []) as MissingDependency[];
  const fixable = missing.length > 0 && missing.every((m) => m.providers.length > 0);
  return (
    <Callout
      tone="error"
      title="The picked operators need others the selection lacks; nothing was transferred."
      hint={
        fixable
          ? 'Let Ferry add one provider of each (the same as ticking “Add what they depend on” in the Operators step), or pick the providing packages there yourself; then make the plan again.'
          : 'Some needs have no provider in this catalog: they must come from another catalog, or leave out the operators that need them.'
      }
    >
      <ul>
        {missing.map((m) => (
          <li key={`${m.requiredBy} ${formatRequirement(m.requirement)}`}>
            <strong>{m.requiredBy}</strong>
            {` needs ${formatRequirement(m.requirement)}: `}
            {m.providers.length > 0 ? `provided by ${m.providers.map((p) => `${p.package} ${p.version} (${p.channels.join(', ')})`).join(', ')}.` : 'nothing in this catalog provides it.'}
          </li>
        ))}
      </ul>
      {fixable ? (
        <div className="actions">
          <Button onClick={onAddDependencies}>Add the dependencies</Button>
        </div>
      ) : null}
    </Callout>
  );
}
