import { z } from 'zod';
import type { FerryErrorCode, FerryErrorEnvelope } from '../errors';

/**
 * Every reply that crosses a process or network boundary: IPC handler → preload, serve WebSocket →
 * browser. The caller turns `ok:false` back into a FerryError, so code and hint survive the trip.
 */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: FerryErrorEnvelope };

// The code union lives in shared/errors.ts; the schema accepts any string so a newer code from a
// newer main process never breaks an older renderer.
export const errorEnvelopeSchema = z.object({
  code: z.string().transform((c) => c as FerryErrorCode),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorEnvelopeSchema }),
]);
