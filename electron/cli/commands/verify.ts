import type { Command } from 'commander';
import { verifyOperatorReport } from '../../engine/reports/verify';
import { writeReport } from '../../engine/reports/write';
import { printJson } from '../output';
import { terminalProgress } from './copy';
import { addCommonOptions, type GlobalOptions } from '../program';
import { addTrustOptions, type TrustCliOptions } from '../trust-options';
import { engineOpener, engineOptionsFrom } from '../../engine/context';
import { mediaReport, renderVerifyResult, verifyOperation } from '../../engine/transfer/verify-transfer';

/**
 * `ferry verify --dir DIR [--trust KEY.pub|FINGERPRINT]... [--allow-untrusted] [--require-signature] [--report FILE.json]`:
 * exit 0 when every check passes, 1 with the problems listed (a failed signature first, and alone), 2 when
 * transfer.json or a key is unreadable. The signature is judged by the same policy as push, with one
 * difference kept from before: an unsigned transfer is only a warning here unless --require-signature or
 * --trust asks for a signature (push refuses it unless --allow-unsigned).
 */
interface VerifyCliOptions extends GlobalOptions, TrustCliOptions {
  dir: string;
  against?: string;
  requireSignature: boolean;
  report?: string;
}

async function run(opts: VerifyCliOptions): Promise<void> {
  const startedAt = new Date();
  const line = opts.json ? undefined : terminalProgress();
  const onProgress = line?.listener;
  const signatureAsked = opts.requireSignature || opts.trust.length > 0;
  const signature = { trust: opts.trust, allowUnsigned: opts.allowUnsigned || !signatureAsked, allowUntrusted: opts.allowUntrusted };
  const result = await verifyOperation(
    { dir: opts.dir, signature, ...(opts.against ? { against: opts.against } : {}), ...(onProgress ? { onProgress } : {}) },
    engineOpener(engineOptionsFrom(opts)),
  );
  line?.end();
  const written = opts.report ? await writeReport(opts.report, verifyOperatorReport(mediaReport(result), { startedAt, finishedAt: new Date() })) : undefined;
  if (opts.json) printJson({ ...result, ...(written ? { reportFiles: written } : {}) });
  else process.stdout.write(`${renderVerifyResult(result)}${written ? `Report written to ${written.json} and ${written.markdown}\n` : ''}`);
  if (!result.ok) process.exitCode = 1;
}

export function register(program: Command): void {
  addCommonOptions(
    addTrustOptions(
      program
        .command('verify')
        .description('check a transfer on disk: signature, manifest, volume sizes and sha256, every blob digest, image completeness, no unsafe tar entries')
        .requiredOption('--dir <dir>', 'transfer directory (holding transfer.json and ferry-*.tar)')
        .option('--require-signature', 'fail an unsigned transfer instead of warning (implied by --trust)', false)
        .option('--report <file.json>', 'also write an operator report: FILE.json and a readable FILE.md beside it')
        .option('--against <host:port/namespace>', 'also check that the mirror holds every image of the transfer by digest'),
    ),
  ).action((opts: VerifyCliOptions) => run(opts));
}
