import { useEffect } from 'react';
import { JourneyLayout } from '../../components/JourneyLayout';
import { IMPORT_STEPS, importStore, type ImportStep } from '../../journeys';
import { navigate } from '../../router';
import { useStore } from '../../store';
import { CheckStep } from './CheckStep';
import { ConfigStep } from './ConfigStep';
import { MediaStep } from './MediaStep';
import { PushStep } from './PushStep';
import { ReceiptStep } from './ReceiptStep';
import { TargetStep } from './TargetStep';
import { VerifyMediaStep } from './VerifyMediaStep';

const SCREENS: Record<ImportStep, () => React.JSX.Element> = {
  media: MediaStep,
  verify: VerifyMediaStep,
  target: TargetStep,
  push: PushStep,
  check: CheckStep,
  config: ConfigStep,
  receipt: ReceiptStep,
};

function isStep(s: string | undefined): s is ImportStep {
  return IMPORT_STEPS.some((x) => x.key === s);
}

export function ImportJourney({ step }: { step?: string }) {
  const state = useStore(importStore);
  const current = isStep(step) ? step : state.step;
  useEffect(() => {
    if (current !== state.step) importStore.update({ step: current });
    if (step !== current) navigate({ screen: 'import', step: current });
  }, [current, step, state.step]);
  const Screen = SCREENS[current];
  return (
    <JourneyLayout title="Import" steps={IMPORT_STEPS} current={current} done={new Set(state.done)} onSelect={(k) => navigate({ screen: 'import', step: k })}>
      <Screen />
    </JourneyLayout>
  );
}
