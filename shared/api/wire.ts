import { z } from 'zod';
import { envelopeSchema } from './envelope';

/**
 * Frames of the serve-mode WebSocket (one JSON text message each). The browser sends `invoke`; the
 * server answers each with a `reply` of the same id and pushes `event` frames to every client.
 */
export const clientFrameSchema = z.object({
  type: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  payload: z.unknown(),
});

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reply'), id: z.number().int().nonnegative(), reply: envelopeSchema }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);

export type ClientFrame = z.output<typeof clientFrameSchema>;
export type ServerFrame = z.output<typeof serverFrameSchema>;

/**
 * Largest frame either side accepts. Pull secrets and CA bundles are kilobytes; a frame far larger is
 * refused (the client before sending, the server's `maxPayload` as the backstop) rather than buffered.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Close code the server uses when a frame exceeds MAX_FRAME_BYTES (RFC 6455 §7.4.1 "message too big"). */
export const CLOSE_TOO_BIG = 1009;

/** Path of the WebSocket endpoint on the serve origin. */
export const WS_PATH = '/api';
