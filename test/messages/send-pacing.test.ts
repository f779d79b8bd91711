// Account-safety pacing end to end (API → queue → worker → emulator), turned on explicitly: the
// test service runs in sandbox mode, where pacing is off by default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { openSse } from '../support/sse.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const GAP_MS = 1_500;
const FAILURES = 3;

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService({
    env: {
      PACING_MODE: 'on',
      PACING_GAP_MIN_MS: String(GAP_MS),
      PACING_GAP_MAX_MS: String(GAP_MS + 300),
      PACING_PAUSE_FAILURES: String(FAILURES),
      // More attempts than the burst: no message can run out of attempts before the pause.
      SEND_MAX_ATTEMPTS: String(FAILURES + 1),
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '200',
    },
  });
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

const message = (advisor: ConnectedAdvisor, id: string) => advisor.client.get(`/api/whatsapp/messages/${id}`);
const send = async (advisor: ConnectedAdvisor, to: string, text: string): Promise<string> => {
  const res = await advisor.client.post('/api/whatsapp/send', { to, text });
  expect(res.status).toBe(202);
  return res.body.message.id as string;
};
const sentAt = async (advisor: ConnectedAdvisor, id: string): Promise<number> => {
  const sent = await waitFor(
    () => message(advisor, id),
    (r) => r.body.sentAt !== null,
    { what: `message ${id} sent`, timeoutMs: 20_000 },
  );
  return new Date(sent.body.sentAt).getTime();
};

describe('account-safety pacing', () => {
  it('spaces two sends of one advisor by at least the minimum gap', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    expect((await ana.client.get('/api/whatsapp/config')).body.settings.pacing).toMatchObject({
      mode: 'auto',
      minGapMs: GAP_MS,
    });
    const first = await send(ana, '+34612000401', 'uno');
    const second = await send(ana, '+34612000402', 'dos');
    const times = [await sentAt(ana, first), await sentAt(ana, second)].sort((a, b) => a - b);
    // The times are recorded once each send has answered, so a first send slowed by a stalled
    // machine (or a slot started up to 50 ms early by clock skew) narrows the gap. Unpaced, the
    // two went out 116 ms apart (checked with the pacer's wait taken out): half a gap of slack
    // still tells the two apart.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(GAP_MS / 2);
  });

  it('pauses after a burst of failures: messages wait queued, the alert is set, resume sends them', async () => {
    const bea = await connectedAdvisor(service, 'Bea');
    const live = await openSse(`${service.url}/api/whatsapp/events`, bea.client.cookieHeader());
    await emulator.put('/_emulator/faults', { errorRate: 1 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < FAILURES; i++) ids.push(await send(bea, `+3461200050${i}`, `fallo ${i}`));

      await waitFor(
        () => bea.client.get('/api/whatsapp/config'),
        (r) => r.body.alert === 'sending_paused',
        { what: 'the pause alert', timeoutMs: 20_000 },
      );
      await live.next((e) => e.event === 'status' && e.data.alert === 'sending_paused');
      // Failures count by recipient: the pause comes once each of the three numbers failed (a
      // message may have been retried once before the last one's first attempt).
      const attemptsOf = async () => {
        const rows = await Promise.all(ids.map((id) => message(bea, id)));
        return rows.map((r) => r.body.attempts as number);
      };
      const atPause = await attemptsOf();
      expect(atPause.every((n) => n >= 1)).toBe(true);

      // Unpaused, the next retry would go out one gap (plus backoff) later: give it two.
      await new Promise((r) => setTimeout(r, 2 * GAP_MS + 500));
      const rows = await Promise.all(ids.map((id) => message(bea, id)));
      expect(rows.map((r) => r.body.status)).toEqual(ids.map(() => 'queued'));
      expect(await attemptsOf()).toEqual(atPause);
    } finally {
      await emulator.delete('/_emulator/faults');
      live.close();
    }

    const resume = await bea.client.post('/api/whatsapp/resume');
    expect(resume.status).toBe(200);
    expect(resume.body).toEqual({ resumed: true, alert: null });
    expect((await bea.client.get('/api/whatsapp/config')).body.alert).toBeNull();
    for (const id of (await bea.client.get('/api/whatsapp/messages?limit=10')).body.items.map(
      (m: { id: string }) => m.id,
    ))
      await sentAt(bea, id);
    expect((await bea.client.post('/api/whatsapp/resume')).body).toEqual({ resumed: false, alert: null });
  });
});
