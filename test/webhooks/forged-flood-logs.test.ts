// A flood of forged webhooks must not become a flood of log lines: each rejection used to write a
// warning, so whoever knows the webhook address decided how fast our logs grow (about 3,000
// lines a second in the webhook-forgery drill). The first rejections of each window are logged in
// full, the rest counted (and summed up in one line at the window's end); the rejection metric
// still counts every one, and real deliveries are untouched.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookStats } from '../../src/domain/webhooks/webhook-stats.js';
import { createLogger } from '../../src/logger.js';
import { DEFAULT_LOG_BUDGET } from '../../src/observability/log-budget.js';
import { logSink } from '../support/logs.js';
import { startTestService, type TestService } from '../support/service.js';
import {
  connectedAdvisor,
  envelope,
  postWebhook,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

const FORGED = 150;
/** LogBudget's defaults, as receive-webhook.ts uses them. */
const { perWindow: PER_WINDOW, windowMs: WINDOW_MS } = DEFAULT_LOG_BUDGET;

let service: TestService;
let ana: ConnectedAdvisor;
const logs = logSink();
beforeAll(async () => {
  service = await startTestService({ logger: createLogger('warn', 'wellness-whatsapp', logs.stream) });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const lines = (msg: string) => logs.lines().filter((l) => l.msg === msg);

describe('a flood of forged webhooks', () => {
  it('is refused in full, counted in full, and logged one by one only up to a budget', async () => {
    const rejectedBefore = webhookStats.rejected;
    const wrongKey = randomBytes(32).toString('base64url');
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: FORGED }, async (_, i) => {
        // Half name instances that do not exist, half a real one with a token from the wrong key.
        const instance = i % 2 ? ana.instanceName : `adv_${randomBytes(10).toString('hex')}`;
        const body = JSON.stringify(
          envelope(instance, 'messages.upsert', upsertData('+34699000222', `falso ${i}`, `FORGED${i}`)),
        );
        return (await postWebhook(service, body, { authorization: `Bearer ${webhookJwt(wrongKey)}` })).status;
      }),
    );
    // The budget's window opens at the flood's first rejection: on a loaded machine the flood can
    // last past its end, and the next window has a budget of its own (a CI run took 11.5 s).
    const windows = Math.floor((Date.now() - started) / WINDOW_MS) + 1;
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect(webhookStats.rejected - rejectedBefore).toBe(FORGED);

    const logged = lines('webhook rejected');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(PER_WINDOW * windows);
    expect(PER_WINDOW * windows, 'the flood outlasted so many windows that it proves nothing').toBeLessThan(
      FORGED,
    );

    // The instance's own gateway still gets through.
    const real = JSON.stringify(
      envelope(ana.instanceName, 'messages.upsert', upsertData('+34699000223', 'de verdad', 'REAL1')),
    );
    expect(
      (await postWebhook(service, real, { authorization: `Bearer ${webhookJwt(ana.secret)}` })).status,
    ).toBe(200);
  });
});
