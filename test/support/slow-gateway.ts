// A service whose gateway calls time out before a slowed emulator answers: the send is
// "uncertain" (WhatsApp gets it, we never hear back) and only Evolution's echo can record it.
// The timeout applies to every gateway call, the connect in beforeAll included: at 400 ms that
// connect failed on a loaded CI machine, so the figures leave room (the echo lands 1.5 s after
// the timeout, before an uncertain retry of 4 s or more).
import { afterAll, beforeAll } from 'vitest';
import { startTestService, type TestService } from './service.js';
import { connectedAdvisor, type ConnectedAdvisor } from './whatsapp.js';

/** EVOLUTION_REQUEST_TIMEOUT_MS of these services. */
export const SLOW_TIMEOUT_MS = 2_000;
/** The emulator's latency fault that outlasts it. */
export const SLOW_GATEWAY_LATENCY_MS = 3_500;

/** Service env: the short timeout, the given uncertain wait, quick ordinary backoff. */
export function slowGatewayEnv(
  uncertainWaitMs: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    EVOLUTION_REQUEST_TIMEOUT_MS: String(SLOW_TIMEOUT_MS),
    SEND_BACKOFF_BASE_MS: '50',
    SEND_BACKOFF_MAX_MS: '100',
    SEND_UNCERTAIN_RETRY_MS: String(uncertainWaitMs),
    ...extra,
  };
}

/**
 * A file's shared service with the slow gateway set-up (`slowGatewayEnv`) and Ana connected,
 * started before the file's tests and closed after them. Read `service` and `ana` inside tests.
 */
export function useSlowGatewayService(
  uncertainWaitMs: number,
  extra: Record<string, string> = {},
): { service: TestService; ana: ConnectedAdvisor } {
  const world = {} as { service: TestService; ana: ConnectedAdvisor };
  beforeAll(async () => {
    world.service = await startTestService({ env: slowGatewayEnv(uncertainWaitMs, extra) });
    world.ana = await connectedAdvisor(world.service, 'Ana');
  });
  afterAll(async () => {
    await world.service?.close();
  });
  return world;
}
