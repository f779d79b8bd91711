// Turns a gateway failure during an advisor-facing action into the API's answer. Whatever the
// gateway said (down, refusing our own credentials, a 400 wrapping its internal timeout on
// create), the advisor can only try again later: 503 gateway_unavailable, with Evolution's
// classification in the details for operators.
import { AppError } from '../app-error.js';
import { isGatewayError } from '../../gateway/index.js';

export function gatewayUnavailable(err: unknown, action: string): unknown {
  if (!isGatewayError(err)) return err;
  return new AppError(
    'gateway_unavailable',
    `The WhatsApp gateway could not complete ${action}; try again in a moment.`,
    {
      gatewayCode: err.code,
      gatewayKind: err.kind,
    },
  );
}

/** Runs a gateway call for an advisor action, mapping every gateway failure to 503. */
export async function viaGateway<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw gatewayUnavailable(err, action);
  }
}
