// The account-safety pause is for a number sending like a bot into a bad list (or already being
// restricted): failures to many different clients. One client's wrong number says nothing about
// the advisor's account, however many messages to it fail, or however many times one message to
// it is retried. Each failed attempt used to count, so three messages to one client whose number
// has no WhatsApp (or one message retried three times) paused the advisor, to be resumed by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const FAILURES = 3;

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService({
    env: {
      PACING_MODE: 'on',
      PACING_GAP_FLOOR_MS: '50',
      PACING_GAP_MIN_MS: '50',
      PACING_GAP_MAX_MS: '100',
      PACING_PAUSE_FAILURES: String(FAILURES),
      SEND_MAX_ATTEMPTS: String(FAILURES + 2),
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '200',
    },
  });
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

const send = async (advisor: ConnectedAdvisor, to: string, text: string): Promise<string> => {
  const res = await advisor.client.post('/api/whatsapp/send', { to, text });
  expect(res.status).toBe(202);
  return res.body.message.id as string;
};
const failed = (advisor: ConnectedAdvisor, ids: string[]) =>
  waitFor(
    () => Promise.all(ids.map(async (id) => (await advisor.client.get(`/api/whatsapp/messages/${id}`)).body)),
    (rows) => rows.every((m) => m.status === 'failed'),
    { what: 'every message failed', timeoutMs: 20_000 },
  );
const alertOf = async (advisor: ConnectedAdvisor) =>
  (await advisor.client.get('/api/whatsapp/config')).body.alert as string | null;

describe('the account-safety pause and one client', { timeout: 60_000 }, () => {
  it("does not pause for several messages to one client's number that has no WhatsApp", async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const wrong = '+34612000777';
    await emulator.put('/_emulator/faults', { notOnWhatsApp: [wrong] });
    try {
      const ids: string[] = [];
      for (let i = 0; i < FAILURES + 1; i++) ids.push(await send(ana, wrong, `hola ${i}`));
      const rows = await failed(ana, ids);
      expect(rows.map((m) => m.error?.code)).toEqual(ids.map(() => 'not_on_whatsapp'));
      expect(await alertOf(ana)).toBeNull();

      // Her other clients still get their messages.
      const ok = await send(ana, '+34612000778', 'para otro cliente');
      await waitFor(
        () => ana.client.get(`/api/whatsapp/messages/${ok}`),
        (r) => r.body.sentAt !== null,
        { what: 'the message to another client sent' },
      );
    } finally {
      await emulator.delete('/_emulator/faults');
    }
  });

  it('does not pause for one message retried again and again', async () => {
    const bea = await connectedAdvisor(service, 'Bea');
    await emulator.put('/_emulator/faults', { errorRate: 1 });
    try {
      const id = await send(bea, '+34612000779', 'reintento');
      const [row] = await failed(bea, [id]);
      expect(row.attempts).toBe(FAILURES + 2);
      expect(await alertOf(bea)).toBeNull();
    } finally {
      await emulator.delete('/_emulator/faults');
    }
  });

  it('still pauses for failures to as many different clients (a bad list)', async () => {
    const clara = await connectedAdvisor(service, 'Clara');
    const wrong = ['+34612000781', '+34612000782', '+34612000783'];
    await emulator.put('/_emulator/faults', { notOnWhatsApp: wrong });
    try {
      for (const to of wrong) await send(clara, to, 'lista mala');
      await waitFor(
        () => alertOf(clara),
        (alert) => alert === 'sending_paused',
        { what: 'the pause alert' },
      );
    } finally {
      await emulator.delete('/_emulator/faults');
    }
  });
});
