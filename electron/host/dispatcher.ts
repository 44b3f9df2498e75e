import type { z } from 'zod';
import { FerryError, toEnvelope } from '../../shared/errors';
import { apiMethods, isMethodName, type MethodName, type ParsedRequestOf, type ResponseOf } from '../../shared/api/contract';
import type { Envelope } from '../../shared/api/envelope';

/**
 * The one `handle()` path every call takes, in Electron (ipcMain) and in serve mode (WebSocket):
 * sender checked first, channel must be a contract method, payload `unknown` until the method's
 * schema accepts it, the reply is always an envelope. No electron import: tests feed it plain values.
 */

export type Handler<M extends MethodName> = (request: ParsedRequestOf<M>) => Promise<ResponseOf<M>> | ResponseOf<M>;

/** A handler per method; a method left out answers UNSUPPORTED ("not yet available in this build"). */
export type ApiHandlers = { [M in MethodName]?: Handler<M> };

export type Dispatch<S> = (sender: S, channel: unknown, payload: unknown) => Promise<Envelope<unknown>>;

function describeIssues(issues: z.core.$ZodIssue[]): Array<{ path: string; message: string }> {
  // Messages only: zod issues may carry the received input, which could be a secret.
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(request)', message: i.message }));
}

function notAvailable(method: string): FerryError {
  return new FerryError('UNSUPPORTED', `${method} is not yet available in this build.`, {
    hint: 'This build of Ferry cannot do this from the app yet; the `ferry` CLI may offer it.',
    details: { method },
  });
}

export function createDispatcher<S>(handlers: ApiHandlers, isTrustedSender: (sender: S) => boolean): Dispatch<S> {
  return async (sender, channel, payload) => {
    try {
      if (!isTrustedSender(sender)) {
        throw new FerryError('FORBIDDEN', 'The request did not come from the Ferry window and was refused.');
      }
      if (!isMethodName(channel)) {
        throw new FerryError('USAGE', `"${String(channel)}" is not a method of the Ferry API.`);
      }
      return { ok: true, result: await call(handlers, channel, payload) };
    } catch (e) {
      return { ok: false, error: toEnvelope(e) };
    }
  };
}

async function call<M extends MethodName>(handlers: ApiHandlers, method: M, payload: unknown): Promise<ResponseOf<M>> {
  const handler = handlers[method] as Handler<M> | undefined;
  if (!handler) throw notAvailable(method);
  const schema = apiMethods[method];
  const request = schema.request.safeParse(payload ?? {});
  if (!request.success) {
    const issues = describeIssues(request.error.issues);
    throw new FerryError('INVALID_INPUT', `The request to ${method} is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`, {
      hint: 'The app sent a request the API does not accept; this is a bug in Ferry.',
      details: { method, issues },
    });
  }
  const result = await handler(request.data as ParsedRequestOf<M>);
  // Checking our own replies keeps the renderer's types honest when a handler drifts from the contract.
  const checked = schema.response.safeParse(result);
  if (!checked.success) {
    throw new FerryError('INTERNAL', `${method} produced a reply that does not match the API contract.`, {
      hint: 'This is a bug in Ferry; please report it.',
      details: { method, issues: describeIssues(checked.error.issues) },
    });
  }
  return checked.data as ResponseOf<M>;
}

/** Methods without a handler: `app.info` reports them so the UI can say "not yet available" up front. */
export function unavailableMethods(handlers: ApiHandlers): MethodName[] {
  return (Object.keys(apiMethods) as MethodName[]).filter((m) => handlers[m] === undefined);
}
