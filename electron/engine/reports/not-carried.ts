import type { FailedImage } from '../../../shared/transfer/manifest';
import type { ReportCheck } from './model';

/** A partial transfer in an operator report: a warning, not a failure, since what is carried checks (README, keep going). */
export function notCarriedCheck(failed: readonly FailedImage[]): ReportCheck {
  return {
    name: 'every image asked for carried',
    status: 'warning',
    detail: `${failed.length} image(s) failed on the connected side and are not in this transfer: ${failed.map((f) => `${f.ref} (${f.code})`).join(', ')}`,
  };
}
