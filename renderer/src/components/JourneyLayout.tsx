import { useEffect, useRef, type ReactNode } from 'react';
import { Stepper, type StepDef } from './Stepper';

/**
 * Stepper on the left, the current step on the right, Back/Next at the bottom. The heading of a new
 * step takes focus so keyboard users land on it.
 */
export function JourneyLayout<K extends string>({ title, steps, current, done, onSelect, children, nextLabel, canNext = true, nextBlocked }: { title: string; steps: ReadonlyArray<StepDef<K>>; current: K; done: ReadonlySet<K>; onSelect: (k: K) => void; children: ReactNode; nextLabel?: string; canNext?: boolean; /** Why going on is not offered here, said beside the disabled Next button. */ nextBlocked?: string | undefined }) {
  const index = steps.findIndex((s) => s.key === current);
  const prev = steps[index - 1];
  const next = steps[index + 1];
  const heading = useRef<HTMLHeadingElement>(null);
  const stepLabel = steps[index]?.label ?? '';
  useEffect(() => {
    heading.current?.focus();
  }, [current]);
  return (
    <div className="journey">
      <Stepper label={`${title} steps`} steps={[...steps]} current={current} done={done} onSelect={onSelect} />
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {title}: {stepLabel} <span className="muted step-count">{`step ${index + 1} of ${steps.length}`}</span>
        </h1>
        {children}
        <div className="actions">
          {prev ? <button type="button" className="btn" onClick={() => onSelect(prev.key)}>{`← Back: ${prev.label}`}</button> : null}
          <span className="spacer" />
          {next && nextBlocked ? (
            <span id="next-blocked" className="muted">
              {nextBlocked}
            </span>
          ) : null}
          {next ? (
            <button type="button" className="btn btn-primary" disabled={!canNext || !!nextBlocked} aria-describedby={nextBlocked ? 'next-blocked' : undefined} onClick={() => onSelect(next.key)}>
              {nextLabel ?? `Next: ${next.label} →`}
            </button>
          ) : null}
        </div>
      </div>
    </div>
  );
}
