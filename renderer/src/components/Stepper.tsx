export interface StepDef<K extends string> {
  key: K;
  label: string;
}

/**
 * The journey's step list. Any step may be opened (the journey can be left and resumed anywhere);
 * finished steps are marked, the current one carries aria-current="step".
 */
export function Stepper<K extends string>({ label, steps, current, done, onSelect }: { label: string; steps: StepDef<K>[]; current: K; done: ReadonlySet<K>; onSelect: (key: K) => void }) {
  return (
    <nav className="stepper" aria-label={label}>
      <ol>
        {steps.map((s) => (
          <li key={s.key}>
            <button
              type="button"
              className={done.has(s.key) ? 'done' : undefined}
              aria-current={s.key === current ? 'step' : undefined}
              onClick={() => onSelect(s.key)}
            >
              {s.label}
              {done.has(s.key) ? <span className="visually-hidden"> (done)</span> : null}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
