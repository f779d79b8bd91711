// Turns a gateway failure during an advisor-facing action into the API's answer: the gateway
// being down or refusing our own credentials is our outage (503), never the advisor's mistake.
import { AppError } from '../app-error.js';
import { isGatewayError } from '../../gateway/index.js';

export function gatewayUnavailable(err: unknown, action: string): AppError | unknown {
  if (!isGatewayError(err)) return err;
  if (
    err.kind === 'transient' ||
    err.code === 'unauthorized' ||
    err.code === 'endpoint_not_found' ||
    err.code === 'unexpected_response'
  ) {
    return new AppError(
      'gateway_unavailable',
      `The WhatsApp gateway is unavailable (${action}); try again in a moment.`,
      {
        gatewayCode: err.code,
      },
    );
  }
  return err;
}

/** Runs a gateway call for an advisor action, mapping outages to 503 gateway_unavailable. */
export async function viaGateway<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw gatewayUnavailable(err, action);
  }
}
