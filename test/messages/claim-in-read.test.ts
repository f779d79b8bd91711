// The worker's read claims the message in the same statement when every check SQL can see passes,
// and leaves it alone otherwise; a check after the read that holds the message back (a rate-limit
// slot, a fault) puts the row back as it was. Real database, real emulator, two advisors.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readForDelivery } from '../../src/db/repositories/delivery.repository.js';
import { setOptOut } from '../../src/db/repositories/client.repository.js';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { updateConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { SENDING_PAUSED } from '../../src/domain/instances/pause-sending.js';
import { deliverMessage } from '../../src/domain/messages/deliver-message.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana');
  bea = await connectedAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const ctx = () => service.runtime.ctx;
/** Claims made now; no standing claim is old enough to take over. */
const claimNow = () => ({ now: new Date(), reclaimBefore: new Date(0) });

describe("the worker's read", () => {
  it('claims a waiting message in the same statement', async () => {
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000301', 'Hola');
    const read = await readForDelivery(ctx().db, ana.userId, row.id, claimNow());
    expect(read!.message).toMatchObject({ status: 'queued', attempts: 0 });
    expect(read!.claimed).toMatchObject({ id: row.id, status: 'sending', attempts: 1, text: 'Hola' });
    expect(await findMessage(ctx().db, ana.userId, row.id)).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it("never reads nor claims another advisor's message", async () => {
    const beas = await unqueuedTextRow(ctx().db, bea.userId, '+34612000302', 'De Bea');
    expect(await readForDelivery(ctx().db, ana.userId, beas.id, claimNow())).toBeNull();
    expect(await findMessage(ctx().db, bea.userId, beas.id)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('does not claim for an opted-out recipient, and the worker skips the message', async () => {
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000303', 'No quiero');
    await setOptOut(ctx().db, ana.userId, '+34612000303', true, 'test', new Date());
    const read = await readForDelivery(ctx().db, ana.userId, row.id, claimNow());
    expect(read).toMatchObject({ claimed: null, optedOut: true });
    expect(await deliverMessage(ctx(), ana.userId, row.id)).toMatchObject({ kind: 'skipped' });
    expect(await findMessage(ctx().db, ana.userId, row.id)).toMatchObject({
      status: 'skipped',
      errorCode: 'recipient_opted_out',
    });
  });

  it("another advisor's opt-out of the same number does not hold the message", async () => {
    await setOptOut(ctx().db, bea.userId, '+34612000304', true, 'test', new Date());
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000304', 'Para Ana');
    const read = await readForDelivery(ctx().db, ana.userId, row.id, claimNow());
    expect(read!.claimed).toMatchObject({ status: 'sending' });
  });

  it('does not claim a message about an appointment (the send-time guard looks first)', async () => {
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000305', 'Recordatorio');
    await ctx()
      .db.update(whatsappMessage)
      .set({ appointmentId: randomUUID() })
      .where(and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.id, row.id)));
    const read = await readForDelivery(ctx().db, ana.userId, row.id, claimNow());
    expect(read).toMatchObject({ claimed: null, message: { status: 'queued' } });
  });

  it('does not claim while sending is paused', async () => {
    const row = await unqueuedTextRow(ctx().db, bea.userId, '+34612000306', 'En pausa');
    await updateConfig(ctx().db, bea.userId, { alert: SENDING_PAUSED });
    try {
      const read = await readForDelivery(ctx().db, bea.userId, row.id, claimNow());
      expect(read).toMatchObject({ claimed: null, message: { status: 'queued' } });
      expect(await deliverMessage(ctx(), bea.userId, row.id)).toEqual({ kind: 'wait_resume' });
      expect(await findMessage(ctx().db, bea.userId, row.id)).toMatchObject({
        status: 'queued',
        attempts: 0,
      });
    } finally {
      await updateConfig(ctx().db, bea.userId, { alert: null });
    }
  });
});

describe('a claim made by the read and then held back', () => {
  it('is undone while the message waits for its rate-limit slot, and the send counts one attempt', async () => {
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000307', 'Espera tu turno');
    const outcome = await deliverMessage(ctx(), ana.userId, row.id, { reserveSlot: async () => 5_000 });
    expect(outcome).toEqual({ kind: 'wait_slot', delayMs: 5_000 });
    expect(await findMessage(ctx().db, ana.userId, row.id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      updatedAt: row.updatedAt,
    });

    expect(await deliverMessage(ctx(), ana.userId, row.id)).toMatchObject({ kind: 'sent' });
    expect(await findMessage(ctx().db, ana.userId, row.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect((await sentByPhone(ana)).filter((m) => m.text === 'Espera tu turno')).toHaveLength(1);
  });

  it('is undone when a check after the read fails', async () => {
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000308', 'Redis caído');
    await expect(
      deliverMessage(ctx(), ana.userId, row.id, {
        reserveSlot: async () => {
          throw new Error('redis unreachable');
        },
      }),
    ).rejects.toThrow('redis unreachable');
    expect(await findMessage(ctx().db, ana.userId, row.id)).toMatchObject({ status: 'queued', attempts: 0 });
  });
});

describe('reads of concurrent jobs, shared in one statement', () => {
  it('claim each message once, with each job’s own claim times, for its own advisor only', async () => {
    const phone = (n: number) => `+346120004${String(n).padStart(2, '0')}`;
    const [first, twice, optedOut, standing, abandoned, beas] = await Promise.all([
      unqueuedTextRow(ctx().db, ana.userId, phone(1), 'Primero'),
      unqueuedTextRow(ctx().db, ana.userId, phone(2), 'Dos trabajos'),
      unqueuedTextRow(ctx().db, ana.userId, phone(3), 'Baja'),
      unqueuedTextRow(ctx().db, ana.userId, phone(4), 'En vuelo'),
      unqueuedTextRow(ctx().db, ana.userId, phone(5), 'Abandonado'),
      unqueuedTextRow(ctx().db, bea.userId, phone(6), 'De Bea'),
    ]);
    await setOptOut(ctx().db, ana.userId, phone(3), true, 'test', new Date());
    // Two claims standing: one still in flight, one whose attempt the next ask takes as abandoned.
    await readForDelivery(ctx().db, ana.userId, standing.id, claimNow());
    await readForDelivery(ctx().db, ana.userId, abandoned.id, claimNow());
    const takeOver = { now: new Date(), reclaimBefore: new Date(Date.now() + 60_000) };

    // Issued in one go: the first runs alone at once, the rest wait for it and share the next statement.
    const [, ...reads] = await Promise.all([
      readForDelivery(ctx().db, ana.userId, first.id, claimNow()),
      readForDelivery(ctx().db, ana.userId, twice.id, claimNow()),
      readForDelivery(ctx().db, ana.userId, twice.id, claimNow()),
      readForDelivery(ctx().db, ana.userId, optedOut.id, claimNow()),
      readForDelivery(ctx().db, ana.userId, standing.id, claimNow()),
      readForDelivery(ctx().db, ana.userId, abandoned.id, takeOver),
      readForDelivery(ctx().db, ana.userId, beas.id, claimNow()),
      readForDelivery(ctx().db, bea.userId, beas.id, claimNow()),
    ]);
    const [twiceA, twiceB, optedOutRead, standingRead, abandonedRead, beasAsAna, beasRead] = reads;

    expect(
      [twiceA!.claimed, twiceB!.claimed].filter(Boolean),
      'a message asked twice is claimed once',
    ).toHaveLength(1);
    expect(twiceA!.claimed).toMatchObject({ id: twice.id, status: 'sending', attempts: 1 });
    expect(twiceB).toMatchObject({ claimed: null, message: { status: 'sending', attempts: 1 } });
    expect(optedOutRead).toMatchObject({ claimed: null, optedOut: true, message: { status: 'queued' } });
    expect(standingRead).toMatchObject({ claimed: null, message: { status: 'sending', attempts: 1 } });
    expect(abandonedRead!.claimed).toMatchObject({ status: 'sending', attempts: 2, updatedAt: takeOver.now });
    expect(beasAsAna, "Bea's message asked as Ana's").toBeNull();
    expect(beasRead).toMatchObject({
      message: { advisorId: bea.userId },
      claimed: { id: beas.id, attempts: 1 },
    });
    expect(beasRead!.config!.advisorId).toBe(bea.userId);
    expect(await findMessage(ctx().db, ana.userId, twice.id)).toMatchObject({
      status: 'sending',
      attempts: 1,
    });
    expect(await findMessage(ctx().db, ana.userId, optedOut.id)).toMatchObject({
      status: 'queued',
      attempts: 0,
    });
  });
});
