// A message cancelled while it waits for its account-safety slot gives the slot back. It used to
// keep it: every later message was paced after the cancelled ones, so an advisor who cancelled a
// batch held back by the caps saw the next message wait behind the whole cancelled batch.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappClient } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

// Long enough for the hold to be noted on the message (from a minute), with no jitter.
const GAP_MS = 120_000;

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: { PACING_MODE: 'on', PACING_GAP_MIN_MS: String(GAP_MS), PACING_GAP_MAX_MS: String(GAP_MS) },
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const send = async (to: string): Promise<string> => {
  const res = await ana.client.post('/api/whatsapp/send', { to, text: 'hola' });
  expect(res.status).toBe(202);
  return res.body.message.id as string;
};
/** The instant a message waiting for its slot is held until (its waiting_for_slot note). */
const heldUntil = async (id: string): Promise<number> => {
  const res = await waitFor(
    () => ana.client.get(`/api/whatsapp/messages/${id}`),
    (r) => r.body.error?.code === 'waiting_for_slot',
    { what: `message ${id} held for its slot` },
  );
  return Date.parse(/until about (\S+?)\.?$/.exec(res.body.error.message as string)![1]!);
};

describe('cancelling a message that waits for its pacing slot', () => {
  it('gives the slot back: the next message takes it, not the one after', async () => {
    const first = await send('+34612000801');
    const sent = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${first}`),
      (r) => r.body.sentAt !== null,
      { what: 'the first message sent' },
    );
    const firstAt = Date.parse(sent.body.sentAt as string);

    const second = await send('+34612000802');
    const secondUntil = await heldUntil(second);
    expect(secondUntil - firstAt).toBeGreaterThan(GAP_MS - 5_000);
    const cancelled = await ana.client.post(`/api/whatsapp/messages/${second}/cancel`);
    expect(cancelled.status).toBe(200);

    const third = await send('+34612000803');
    // The second's slot (one gap after the first), not one gap after the cancelled second.
    expect(Math.abs((await heldUntil(third)) - secondUntil)).toBeLessThan(10_000);
  });
});

// The same for a message skipped when it looks again (its client opted out meanwhile): it never
// went out, so its slot goes back. It used to keep it, like a cancelled one did.
describe('a message skipped while it waits for its pacing slot', () => {
  it('gives the slot back too', async () => {
    // An advisor of its own: Ana's slots are still taken by the test above.
    ana = await connectedAdvisor(service, 'Bea');
    const first = await send('+34612000811');
    const sent = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${first}`),
      (r) => r.body.sentAt !== null,
      { what: 'the first message sent' },
    );
    expect(sent.body.sentAt).not.toBeNull();
    const secondTo = '+34612000812';
    const second = await send(secondTo);
    const secondUntil = await heldUntil(second);

    // The client opts out; a wake-up (a settings change naming pacing, rules unchanged) makes the
    // waiting message look again, and it is skipped.
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from: secondTo,
      text: 'STOP',
    });
    await waitFor(
      async () => {
        const [row] = await service.database.db
          .select({ optedOut: whatsappClient.optedOut })
          .from(whatsappClient)
          .where(and(eq(whatsappClient.advisorId, ana.userId), eq(whatsappClient.phone, secondTo)));
        return row?.optedOut;
      },
      (optedOut) => optedOut === true,
      { what: 'the client opted out' },
    );
    const wake = await ana.client.put('/api/whatsapp/config', { settings: { pacing: { mode: 'auto' } } });
    expect(wake.status).toBe(200);
    await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${second}`),
      (r) => r.body.status === 'skipped',
      { what: 'the waiting message skipped' },
    );

    const third = await send('+34612000813');
    expect(Math.abs((await heldUntil(third)) - secondUntil)).toBeLessThan(10_000);
  });
});
