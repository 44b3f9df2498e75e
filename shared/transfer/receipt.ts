import { z } from 'zod';
import { digestSchema, imageRoleSchema } from './manifest';

/**
 * `receipt.json`: what a push left in the disconnected mirror, by digest. Carried back to the connected
 * side, it lets `ferry mirror --since receipt.json` write only the blobs the mirror lacks.
 */
export const RECEIPT_FORMAT_VERSION = 1;
export const RECEIPT_FILE = 'receipt.json';

const receiptImageSchema = z.object({
  source: z.string().min(1),
  role: imageRoleSchema,
  /** Where the image now is in the mirror, by digest (HOST:PORT/NS/REPO@sha256:…). */
  mirror: z.string().min(1),
  digest: digestSchema,
  /** Tags the push gave it in that repository (release components: `VERSION-ARCH-NAME`), which keep it from a registry's garbage collection. */
  tags: z.array(z.string().min(1)).optional(),
});

export const receiptSchema = z.object({
  formatVersion: z.literal(RECEIPT_FORMAT_VERSION),
  kind: z.literal('receipt'),
  createdAt: z.iso.datetime({ offset: true }),
  tool: z.object({ name: z.literal('ferry'), version: z.string().min(1) }),
  /** The mirror root pushed to, HOST[:PORT]/NAMESPACE as given to --to. */
  target: z.string().min(1),
  /** `id` of the transfer that was pushed. */
  transferId: z.uuid(),
  images: z.array(receiptImageSchema),
  /** Every blob digest (manifests included) the mirror now holds for these images. */
  blobs: z.array(digestSchema),
});

export type Receipt = z.infer<typeof receiptSchema>;
