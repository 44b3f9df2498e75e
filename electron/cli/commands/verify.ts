import type { Command } from 'commander';
import { withRates, type ProgressEvent } from '../../../shared/progress';
import { renderVerifyReport } from '../../../shared/transfer/verify-report';
import { verifyTransfer } from '../../engine/media/verify';
import { printJson } from '../output';
import { addCommonOptions } from '../program';

/** `ferry verify --dir DIR`: exit 0 when every check passes, 1 with the problems listed, 2 when transfer.json is unreadable. */
interface VerifyCliOptions {
  dir: string;
  json: boolean;
}

function progressLine(started: number): ((e: ProgressEvent) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (event) => {
    const e = withRates(event, started, Date.now());
    const pct = e.bytesTotal ? Math.floor((100 * e.bytesDone) / e.bytesTotal) : 0;
    const rate = e.bytesPerSecond ? ` ${(e.bytesPerSecond / (1024 * 1024)).toFixed(1)} MiB/s` : '';
    process.stderr.write(`\rverify ${e.volume ?? ''} ${pct}%${rate}   `);
  };
}

async function run(opts: VerifyCliOptions): Promise<void> {
  const onProgress = opts.json ? undefined : progressLine(Date.now());
  const report = await verifyTransfer(opts.dir, onProgress ? { onProgress } : {});
  if (onProgress) process.stderr.write('\n');
  if (opts.json) printJson(report);
  else process.stdout.write(renderVerifyReport(report));
  if (!report.ok) process.exitCode = 1;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('verify')
      .description('check a transfer on disk: manifest, volume sizes and sha256, every blob digest, image completeness, no unsafe tar entries')
      .requiredOption('--dir <dir>', 'transfer directory (holding transfer.json and ferry-*.tar)'),
  ).action((opts: VerifyCliOptions) => run(opts));
}
