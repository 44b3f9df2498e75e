import type { JSX } from 'react';
import { Journey } from '../../components/Journey';
import { FAILED_MEDIA, IMPORT_STEPS, importStore, type ImportState, type ImportStep } from '../../journeys';
import { CheckStep } from './CheckStep';
import { ConfigStep } from './ConfigStep';
import { MediaStep } from './MediaStep';
import { NodeStep } from './NodeStep';
import { PushStep } from './PushStep';
import { ReceiptStep } from './ReceiptStep';
import { TargetStep } from './TargetStep';
import { VerifyMediaStep } from './VerifyMediaStep';

const SCREENS: Record<ImportStep, () => JSX.Element> = {
  media: MediaStep,
  verify: VerifyMediaStep,
  node: NodeStep,
  target: TargetStep,
  push: PushStep,
  check: CheckStep,
  config: ConfigStep,
  receipt: ReceiptStep,
};

export function ImportJourney({ step }: { step?: string }) {
  return <Journey screen="import" title="Import" steps={IMPORT_STEPS} screens={SCREENS} store={importStore} step={step} nextBlocked={blocked} />;
}

function blocked(state: ImportState, current: ImportStep): string | undefined {
  return current === 'verify' && state.mediaVerified === 'failed' ? FAILED_MEDIA : undefined;
}
