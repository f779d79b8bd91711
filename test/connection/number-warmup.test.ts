// Account-safety warm-up belongs to the number, not to one link of it: a number that lost its
// connection and is linked again (or removed and added back) keeps the warm-up it was in, and
// only a different number starts a new one. Before, every reconnection restarted warm-up, and an
// advisor linked for months could send only warmupStartCap messages the day after a phone drop.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappConfig } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const DAY_MS = 24 * 3_600_000;

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: {
      PACING_MODE: 'on',
      PACING_GAP_FLOOR_MS: '0',
      PACING_GAP_MIN_MS: '0',
      PACING_GAP_MAX_MS: '20',
      PACING_WARMUP_DAYS: '7',
      // Day 0 of a warm-up allows one message a day: a restarted warm-up holds the second one.
      PACING_WARMUP_START_CAP: '1',
    },
  });
});
afterAll(async () => {
  await service?.close();
});

const warmupOf = async (advisor: ConnectedAdvisor) => {
  const [row] = await service.runtime.ctx.db
    .select({
      warmupPhone: whatsappConfig.warmupPhone,
      warmupSince: whatsappConfig.warmupSince,
      connectedAt: whatsappConfig.connectedAt,
    })
    .from(whatsappConfig)
    .where(eq(whatsappConfig.advisorId, advisor.userId));
  return row!;
};

/** Moves the number's warm-up back, as if it had been linked `days` ago. */
async function linkedDaysAgo(advisor: ConnectedAdvisor, days: number): Promise<Date> {
  const since = new Date(Date.now() - days * DAY_MS);
  await service.runtime.ctx.db
    .update(whatsappConfig)
    .set({ warmupSince: since, connectedAt: since })
    .where(eq(whatsappConfig.advisorId, advisor.userId));
  return since;
}

async function status(advisor: ConnectedAdvisor, wanted: string) {
  return waitFor(
    () => advisor.client.get('/api/whatsapp/config'),
    (r) => r.body.status === wanted,
    { what: `${advisor.instanceName} ${wanted}` },
  );
}

/** Connects again and lets the phone scan with `phone`. */
async function relink(advisor: ConnectedAdvisor, phone: string): Promise<void> {
  const connect = await advisor.client.post('/api/whatsapp/connect');
  expect(connect.status).toBe(200);
  const { instanceName } = (await advisor.client.get('/api/whatsapp/config')).body;
  await advisor.emulator.post(`/_emulator/instances/${instanceName}/scan`, { phone });
  await status(advisor, 'connected');
  advisor.instanceName = instanceName;
}

let nextClient = 0;

/** Warmed up, the daily cap is the full one: two messages both go out the same day. */
async function bothSentToday(advisor: ConnectedAdvisor, text: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const to = `+3461200${String(900 + nextClient++).padStart(4, '0')}`;
    const res = await advisor.client.post('/api/whatsapp/send', { to, text: `${text} ${i}` });
    expect(res.status).toBe(202);
  }
  await waitFor(
    () => sentByPhone(advisor),
    (sent) => sent.filter((m) => JSON.stringify(m).includes(text)).length === 2,
    { what: `both "${text}" messages sent after the re-link`, timeoutMs: 10_000 },
  );
}

describe('number warm-up', () => {
  it('starts when a number is first linked', async () => {
    const before = Date.now();
    const ana = await connectedAdvisor(service, 'Ana Warmup');
    const warmup = await warmupOf(ana);
    expect(warmup.warmupPhone).toBe(ana.phone);
    expect(warmup.warmupSince!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('goes on when the same number is linked again after its phone logged out', async () => {
    const bea = await connectedAdvisor(service, 'Bea Warmup');
    const since = await linkedDaysAgo(bea, 30);
    await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/disconnect`, { statusReason: 401 });
    await status(bea, 'disconnected');
    await relink(bea, bea.phone);

    const warmup = await warmupOf(bea);
    expect(warmup.warmupSince!.getTime()).toBe(since.getTime());
    // The link itself is new: "connected since" is this one.
    expect(warmup.connectedAt!.getTime()).toBeGreaterThan(since.getTime() + DAY_MS);

    await bothSentToday(bea, 'después del corte');
  });

  it('goes on when the advisor removed the connection and links the same number again', async () => {
    const clara = await connectedAdvisor(service, 'Clara Warmup');
    const since = await linkedDaysAgo(clara, 3);
    expect((await clara.client.delete('/api/whatsapp/config')).status).toBe(200);
    await status(clara, 'not_configured');
    await relink(clara, clara.phone);
    expect((await warmupOf(clara)).warmupSince!.getTime()).toBe(since.getTime());
    await bothSentToday(clara, 'de vuelta');
  });

  it('goes on for a number linked again after another one was linked in between', async () => {
    // A phone in repair: a spare number for a while, then the advisor's own again.
    const eva = await connectedAdvisor(service, 'Eva Warmup');
    const since = await linkedDaysAgo(eva, 30);
    await eva.emulator.post(`/_emulator/instances/${eva.instanceName}/disconnect`, { statusReason: 401 });
    await status(eva, 'disconnected');
    const spare = '+34612009998';
    await relink(eva, spare);
    expect((await warmupOf(eva)).warmupPhone).toBe(spare);
    await eva.emulator.post(`/_emulator/instances/${eva.instanceName}/disconnect`, { statusReason: 401 });
    await status(eva, 'disconnected');
    await relink(eva, eva.phone);

    const warmup = await warmupOf(eva);
    expect(warmup.warmupPhone).toBe(eva.phone);
    expect(warmup.warmupSince!.getTime()).toBe(since.getTime());
    await bothSentToday(eva, 'mi número otra vez');
  });

  it('starts again for a different number, which then gets the first day’s cap', async () => {
    const dora = await connectedAdvisor(service, 'Dora Warmup');
    await linkedDaysAgo(dora, 30);
    await dora.emulator.post(`/_emulator/instances/${dora.instanceName}/disconnect`, { statusReason: 401 });
    await status(dora, 'disconnected');
    const newPhone = '+34612009999';
    const before = Date.now();
    await relink(dora, newPhone);

    const warmup = await warmupOf(dora);
    expect(warmup.warmupPhone).toBe(newPhone);
    expect(warmup.warmupSince!.getTime()).toBeGreaterThanOrEqual(before - 1_000);

    const ids: string[] = [];
    for (const to of ['+34612000803', '+34612000804']) {
      const res = await dora.client.post('/api/whatsapp/send', { to, text: 'número nuevo' });
      expect(res.status).toBe(202);
      ids.push(res.body.message.id);
    }
    // Day 0 allows one: one goes out, the other is held for tomorrow (queued, not failed).
    const rows = await waitFor(
      async () =>
        Promise.all(ids.map(async (id) => (await dora.client.get(`/api/whatsapp/messages/${id}`)).body)),
      (ms) =>
        ms.filter((m) => m.sentAt !== null).length === 1 &&
        ms.some((m) => m.error?.code === 'waiting_for_slot'),
      { what: 'one sent, one held by the first day’s cap', timeoutMs: 10_000 },
    );
    // The other one is still queued: held, not failed (receipts may have moved the sent one on).
    expect(rows.filter((m) => m.sentAt === null).map((m) => m.status)).toEqual(['queued']);
  });
});
