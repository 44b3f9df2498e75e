import type { JSX } from 'react';
import { Journey } from '../../components/Journey';
import { EXPORT_STEPS, exportStore, FAILED_MEDIA, type ExportState, type ExportStep } from '../../journeys';
import { CredentialsStep } from './CredentialsStep';
import { DoneStep } from './DoneStep';
import { OperatorsStep } from './OperatorsStep';
import { PlanStep } from './PlanStep';
import { ReleaseStep } from './ReleaseStep';
import { TransferStep } from './TransferStep';
import { TrustStep } from './TrustStep';
import { VerifyStep } from './VerifyStep';

const SCREENS: Record<ExportStep, () => JSX.Element> = {
  credentials: CredentialsStep,
  trust: TrustStep,
  release: ReleaseStep,
  operators: OperatorsStep,
  plan: PlanStep,
  transfer: TransferStep,
  verify: VerifyStep,
  done: DoneStep,
};

export function ExportJourney({ step }: { step?: string }) {
  return <Journey screen="export" title="Export" steps={EXPORT_STEPS} screens={SCREENS} store={exportStore} step={step} nextBlocked={blocked} />;
}

function blocked(state: ExportState, current: ExportStep): string | undefined {
  return current === 'verify' && state.mediaVerified === 'failed' ? FAILED_MEDIA : undefined;
}
