import { useEffect, type JSX } from 'react';
import type { StepDef } from './Stepper';
import { JourneyLayout } from './JourneyLayout';
import { navigate } from '../router';
import { useStore, type JourneyStore } from '../store';

/**
 * A journey bound to its store and the address bar: the step in the URL wins (links, reload), else
 * the remembered step; the store follows so the start screen can offer "Resume at …".
 */
export function Journey<K extends string, S extends { step: K; done: K[] }>({
  screen,
  title,
  steps,
  screens,
  store,
  step,
  nextBlocked,
}: {
  screen: 'export' | 'import';
  title: string;
  steps: ReadonlyArray<StepDef<K>>;
  screens: Record<K, () => JSX.Element>;
  store: JourneyStore<S>;
  step?: string;
  /** Why the journey may not go on from `current` (e.g. the media failed verification), if it may not. */
  nextBlocked?: (state: S, current: K) => string | undefined;
}) {
  const state = useStore(store);
  const current = steps.some((s) => s.key === step) ? (step as K) : state.step;
  useEffect(() => {
    if (current !== state.step) store.update({ step: current } as Partial<S>);
    if (step !== current) navigate({ screen, step: current });
  }, [current, step, state.step, store, screen]);
  const Screen: () => JSX.Element = screens[current];
  return (
    <JourneyLayout title={title} steps={steps} current={current} done={new Set(state.done)} onSelect={(k) => navigate({ screen, step: k })} nextBlocked={nextBlocked?.(state, current)}>
      <Screen />
    </JourneyLayout>
  );
}
