import { Code, ConnectError, createContextKey, type HandlerContext } from '@connectrpc/connect';
import { ZodError } from 'zod';
import { AppError } from '@/lib/errors';
import type { Caller } from './caller';

/** The authorised caller of an RPC, resolved by the gateway before the method runs. */
export const CALLER = createContextKey<Caller | null>(null);

export function callerOf(ctx: HandlerContext): Caller {
  const c = ctx.values.get(CALLER);
  if (!c) throw new ConnectError('no caller', Code.Unauthenticated);
  return c;
}

const CODES: Record<number, Code> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  402: Code.PermissionDenied,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  409: Code.FailedPrecondition,
  413: Code.ResourceExhausted,
  429: Code.ResourceExhausted,
  502: Code.Unavailable,
  503: Code.Unavailable,
  504: Code.DeadlineExceeded,
  507: Code.ResourceExhausted,
};

/** Warren's typed errors as Connect codes, so the clients raise their matching error classes. */
export function toConnectError(err: unknown): unknown {
  if (err instanceof ConnectError) return err;
  if (err instanceof AppError) return new ConnectError(err.message, CODES[err.status] ?? Code.Internal);
  if (err instanceof ZodError)
    return new ConnectError(
      err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      Code.InvalidArgument,
    );
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && CODES[status]) return new ConnectError((err as Error).message, CODES[status]);
  return err;
}

/** Runs a unary method body with the error mapping. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toConnectError(err);
  }
}
