// An appointment's confirmation goes out ahead of the advisor's own waiting batch, within the
// same limits. Every job reserves its send slot when a worker first takes it, and a worker takes
// a whole backlog within a second: the confirmation of a booking made meanwhile used to reserve
// after the batch's slots (hours with pacing at its defaults). Now it takes the earliest slot
// still ahead and the messages it passes move one slot back (src/jobs/slot-line.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendPacer } from '../../src/jobs/send-pacer.js';
import { booking, bookingAdvisor, onlyOne, type BookingAdvisor } from '../appointments/support.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';

const GAP_MS = 600;
const BATCH = 10;

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      PACING_MODE: 'on',
      PACING_GAP_FLOOR_MS: '0',
      PACING_GAP_MIN_MS: String(GAP_MS),
      PACING_GAP_MAX_MS: String(GAP_MS + 50),
    },
  });
});
afterAll(async () => {
  await service?.close();
});

/** Sends the batch, books an appointment while it waits; every message's sentAt, in send order. */
async function batchThenBooking(advisor: BookingAdvisor, tag: string) {
  const batch: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const res = await advisor.client.post('/api/whatsapp/send', {
      to: `+3461209${tag}0${String(i).padStart(2, '0')}`,
      text: `Campaña ${i}`,
    });
    expect(res.status).toBe(202);
    batch.push(res.body.message.id);
  }
  // The batch's jobs have reserved their slots once the first message has gone.
  const sentAt = async (id: string) =>
    (
      await waitFor(
        () => advisor.client.get(`/api/whatsapp/messages/${id}`),
        (r) => r.body.sentAt !== null,
        { what: `message ${id} sent`, timeoutMs: 30_000 },
      )
    ).body.sentAt as string;
  await sentAt(batch[0]!);
  const booked = await advisor.api.post('/api/appointments', booking());
  expect(booked.status).toBe(201);
  // Its job is in the queue before the answer.
  const bookedAt = Date.now();
  const confirmation = onlyOne(booked.body.messages, 'confirmation').id as string;
  const times = await Promise.all(
    [...batch, confirmation].map(async (id) => ({ id, at: Date.parse(await sentAt(id)) })),
  );
  times.sort((a, b) => a.at - b.at);
  const order = times.map((t) => t.id);
  return {
    order,
    times: times.map((t) => t.at),
    // How many of the batch went out after it: behind the batch, none.
    passed: order.length - 1 - order.indexOf(confirmation),
    // How many of the batch had not gone out when it was booked (a loaded machine may be slow to
    // get there: the batch goes on meanwhile, so this is counted, not assumed).
    waiting: times.filter((t) => t.id !== confirmation && t.at >= bookedAt).length,
  };
}

const gapsOf = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('a confirmation booked while the advisor’s batch waits', () => {
  it('with pacing on, takes one of the next slots, and the gap between sends still holds', async () => {
    const ana = await bookingAdvisor(service, 'Ana Prisa');
    const { times, passed, waiting } = await batchThenBooking(ana, '1');
    // Behind the batch it would pass none. It takes the earliest slot more than 250 ms ahead, and
    // the one after may be on its way by the time its job reserves: it passes all but two of the
    // batch still waiting when it was booked.
    expect(waiting).toBeGreaterThanOrEqual(3);
    expect(passed).toBeGreaterThanOrEqual(waiting - 2);
    // Recorded once each send answered: half a gap of slack, as in send-pacing.test.ts.
    expect(Math.min(...gapsOf(times))).toBeGreaterThanOrEqual(GAP_MS / 2);
  });

  // Ten sends a second apart and the waits around them: more than the default 30 s on a loaded machine.
  it(
    'with pacing off, takes the next slot of the rate limit, and the limit still holds',
    { timeout: 90_000 },
    async () => {
      const bea = await bookingAdvisor(service, 'Bea Prisa', {
        pacing: { mode: 'off' },
        rateLimit: { max: 1, durationMs: 1_000 },
      });
      const { times, passed, waiting } = await batchThenBooking(bea, '2');
      expect(waiting).toBeGreaterThanOrEqual(3);
      expect(passed).toBeGreaterThanOrEqual(waiting - 2);
      // One a second: never two within half of it.
      expect(Math.min(...gapsOf(times))).toBeGreaterThanOrEqual(500);
    },
  );

  it('two confirmations keep their own order', { timeout: 90_000 }, async () => {
    const eva = await bookingAdvisor(service, 'Eva Prisa');
    const batch: string[] = [];
    for (let i = 0; i < BATCH; i++)
      batch.push(
        (
          await eva.client.post('/api/whatsapp/send', {
            to: `+346120930${String(i).padStart(2, '0')}`,
            text: `C ${i}`,
          })
        ).body.message.id,
      );
    const first = onlyOne(
      (await eva.api.post('/api/appointments', booking())).body.messages,
      'confirmation',
    ).id;
    // Their order is the order their jobs reserve a slot in. Booked back to back on a loaded
    // machine, both jobs may reach the worker together and reserve in either order: the second
    // is booked once the first holds its slot (or has gone).
    const pacer = new SendPacer(service.runtime.redis, service.config.redis.prefix);
    await waitFor(
      async () =>
        (await pacer.slotOf(eva.userId, eva.phone, first)) !== null ||
        (await eva.client.get(`/api/whatsapp/messages/${first}`)).body.sentAt !== null,
      (reserved) => reserved,
      { what: 'the first confirmation holding its slot' },
    );
    const second = onlyOne(
      (await eva.api.post('/api/appointments', booking())).body.messages,
      'confirmation',
    ).id;
    const sentAt = async (id: string) =>
      Date.parse(
        (
          await waitFor(
            () => eva.client.get(`/api/whatsapp/messages/${id}`),
            (r) => r.body.sentAt !== null,
            { what: `message ${id} sent`, timeoutMs: 30_000 },
          )
        ).body.sentAt,
      );
    const [a, b, last] = [await sentAt(first), await sentAt(second), await sentAt(batch.at(-1)!)];
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(last);
  });
});
