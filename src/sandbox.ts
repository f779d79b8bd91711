// Sandbox mode: with no EVOLUTION_API_URL configured, the service runs the Evolution API emulator
// in-process so the whole product works with no WhatsApp account. Imported only in that mode.
import type { Config } from './config/config.js';

export interface SandboxGateway {
  url: string;
  close(): Promise<void>;
}

export type SandboxOptions = Parameters<typeof import('../emulator/server.js').startEmulator>[0];

export async function startSandboxGateway(
  config: Config,
  overrides: Partial<SandboxOptions> = {},
): Promise<SandboxGateway> {
  const { startEmulator } = await import('../emulator/server.js');
  return startEmulator({
    apiKey: config.evolution.apiKey,
    host: '127.0.0.1',
    port: config.emulatorPort,
    // Short waits so connecting feels instant; real QR lifetime so the countdown is honest.
    createQrWaitMs: 200,
    connectWaitMs: 200,
    qrTimeoutMs: 45_000,
    qrLimit: 30,
    statusDelaysMs: { serverAck: 300, deliveryAck: 1_500, read: 4_000 },
    webhookRetry: { maxAttempts: 10, initialDelayMs: 5_000, maxDelayMs: 300_000, jitter: 0.2 },
    ...overrides,
  });
}
