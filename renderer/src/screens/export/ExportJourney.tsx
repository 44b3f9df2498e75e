import { useEffect } from 'react';
import { JourneyLayout } from '../../components/JourneyLayout';
import { EXPORT_STEPS, exportStore, type ExportStep } from '../../journeys';
import { navigate } from '../../router';
import { useStore } from '../../store';
import { CredentialsStep } from './CredentialsStep';
import { DoneStep } from './DoneStep';
import { PlanStep } from './PlanStep';
import { ReleaseStep } from './ReleaseStep';
import { TransferStep } from './TransferStep';
import { TrustStep } from './TrustStep';
import { VerifyStep } from './VerifyStep';

const SCREENS: Record<ExportStep, () => React.JSX.Element> = {
  credentials: CredentialsStep,
  trust: TrustStep,
  release: ReleaseStep,
  plan: PlanStep,
  transfer: TransferStep,
  verify: VerifyStep,
  done: DoneStep,
};

function isStep(s: string | undefined): s is ExportStep {
  return EXPORT_STEPS.some((x) => x.key === s);
}

export function ExportJourney({ step }: { step?: string }) {
  const state = useStore(exportStore);
  const current = isStep(step) ? step : state.step;
  useEffect(() => {
    if (current !== state.step) exportStore.update({ step: current });
    if (step !== current) navigate({ screen: 'export', step: current });
  }, [current, step, state.step]);
  const Screen = SCREENS[current];
  return (
    <JourneyLayout title="Export" steps={EXPORT_STEPS} current={current} done={new Set(state.done)} onSelect={(k) => navigate({ screen: 'export', step: k })}>
      <Screen />
    </JourneyLayout>
  );
}
