// A service context whose gateway holds one call until the test releases it: the real gateway
// (the emulator) still answers, but the test decides when the caller goes on, to land another
// request in exactly that gap (a remove while a connect or a disconnect is at the gateway).
import type { DomainContext } from '../../src/domain/context.js';

type Gateway = DomainContext['gateway'];
type Method = {
  [K in keyof Gateway]: Gateway[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Gateway];

export interface HeldGateway {
  ctx: DomainContext;
  /** Resolves once the call has reached the hold. */
  waiting: Promise<void>;
  release: () => void;
}

/**
 * `before`: the call waits before it reaches the gateway. `after`: the gateway has answered, and
 * the answer waits before it is handed back.
 */
export function withHeldGatewayCall(
  ctx: DomainContext,
  method: Method,
  when: 'before' | 'after',
): HeldGateway {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const waiting = new Promise<void>((resolve) => (reached = resolve));
  const real = ctx.gateway;
  const call = (real[method] as (...args: unknown[]) => Promise<unknown>).bind(real);
  const gateway = Object.create(real) as Gateway;
  (gateway as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    if (when === 'before') {
      reached();
      await held;
      return call(...args);
    }
    const answer = await call(...args);
    reached();
    await held;
    return answer;
  };
  return { ctx: { ...ctx, gateway }, waiting, release };
}
