// Account-safety caps count each number's own sends (README: "sends per number per sliding
// hour / 24 h"). They used to count the advisor's: a different number linked after the old one
// sent its day's cap (a banned or lost phone replaced) could send nothing for up to 24 hours,
// a booking confirmation included, though WhatsApp had never seen it send. The same number
// linked again still finds its own sends counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const DAILY_CAP = 2;

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      PACING_MODE: 'on',
      PACING_GAP_FLOOR_MS: '0',
      PACING_GAP_MIN_MS: '0',
      PACING_GAP_MAX_MS: '20',
      PACING_DAILY_CAP: String(DAILY_CAP),
      // No warm-up: a new number's cap is the full one, so only the old number's sends can hold it.
      PACING_WARMUP_DAYS: '0',
      PACING_WARMUP_START_CAP: String(DAILY_CAP),
    },
  });
});
afterAll(async () => {
  await service?.close();
});

let nextClient = 0;
async function send(advisor: ConnectedAdvisor, text: string): Promise<string> {
  const to = `+3461200${String(700 + nextClient++).padStart(4, '0')}`;
  const res = await advisor.client.post('/api/whatsapp/send', { to, text });
  expect(res.status).toBe(202);
  return res.body.message.id as string;
}
const view = async (advisor: ConnectedAdvisor, id: string) =>
  (await advisor.client.get(`/api/whatsapp/messages/${id}`)).body;

/** Sends the day's cap from the number linked now, and waits until both went out. */
async function spendTheDay(advisor: ConnectedAdvisor): Promise<void> {
  for (let i = 0; i < DAILY_CAP; i++) await send(advisor, `día ${i}`);
  await waitFor(
    () => sentByPhone(advisor),
    (sent) => sent.length === DAILY_CAP,
    { what: 'the day’s cap sent', timeoutMs: 10_000 },
  );
}

/** The phone logs out, then the advisor links `phone` (connect, the phone scans). */
async function relink(advisor: ConnectedAdvisor, phone: string): Promise<void> {
  await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/disconnect`, {
    statusReason: 401,
  });
  await waitFor(
    () => advisor.client.get('/api/whatsapp/config'),
    (r) => r.body.status === 'disconnected',
    { what: 'disconnected' },
  );
  expect((await advisor.client.post('/api/whatsapp/connect')).status).toBe(200);
  const { instanceName } = (await advisor.client.get('/api/whatsapp/config')).body;
  await advisor.emulator.post(`/_emulator/instances/${instanceName}/scan`, { phone });
  await waitFor(
    () => advisor.client.get('/api/whatsapp/config'),
    (r) => r.body.status === 'connected' && r.body.phoneNumber === phone,
    { what: `${phone} linked` },
  );
  advisor.instanceName = instanceName;
}

describe('the daily cap of a number', () => {
  it('does not hold a different number linked after the old one spent its day', async () => {
    const ana = await connectedAdvisor(service, 'Ana Nuevo Número');
    await spendTheDay(ana);
    await relink(ana, '+34612008801');
    const id = await send(ana, 'confirmación desde el número nuevo');
    const row = await waitFor(
      () => view(ana, id),
      (m) => m.sentAt !== null || m.error?.code === 'waiting_for_slot',
      { what: 'the new number’s first message sent or held', timeoutMs: 10_000 },
    );
    expect(row.error).toBeNull();
    expect(row.sentAt).not.toBeNull();
  });

  it('still holds the same number linked again', async () => {
    const bea = await connectedAdvisor(service, 'Bea Mismo Número');
    await spendTheDay(bea);
    await relink(bea, bea.phone);
    const id = await send(bea, 'tercero del día');
    const row = await waitFor(
      () => view(bea, id),
      (m) => m.sentAt !== null || m.error?.code === 'waiting_for_slot',
      { what: 'the third message of the day sent or held', timeoutMs: 10_000 },
    );
    expect(row).toMatchObject({ status: 'queued', sentAt: null, error: { code: 'waiting_for_slot' } });
  });
});
