// Receipts, edits and deletions that come before their message are parked (pending_receipt,
// pending_message_change) and applied once the message is stored. They used to be taken (deleted
// and returned) and then applied in statements of their own: a failure in between (the database
// briefly away, a crash, a statement that fails) lost them for good, and the history kept the old
// status or words. Now a parked row is deleted only once applied. Each test makes the application
// fail for real (a trigger that refuses that one message's update), shows that the parked row is
// still there, and lets the next attempt (the send job's retry, Evolution's redelivery of the
// message, the webhook sweep) apply it.
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parkMessageChange } from '../../src/db/repositories/message-edit.repository.js';
import { claimForSending, findMessage, markSent } from '../../src/db/repositories/message.repository.js';
import { savePendingReceipt } from '../../src/db/repositories/pending-receipt.repository.js';
import {
  pendingMessageChange,
  pendingReceipt,
  webhookEvent,
  whatsappMessage,
} from '../../src/db/schema/index.js';
import { deliverMessage } from '../../src/domain/messages/deliver-message.js';
import { sweepWebhookEvents } from '../../src/domain/webhooks/sweep-webhook-events.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  postWebhook,
  sendEchoEnvelope,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  // The webhook sweep runs only when a test runs it: the next attempt each test shows is its own.
  service = await startTestService({ env: { SWEEPER_INTERVAL_MS: '3600000' } });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const db = () => service.database.db;
const jid = (phone: string) => `${phone.slice(1)}@s.whatsapp.net`;

async function post(body: unknown) {
  const res = await postWebhook(service, JSON.stringify(body), {
    authorization: `Bearer ${webhookJwt(ana.secret)}`,
  });
  expect(res.status).toBe(200);
}

/**
 * Makes the database refuse every update of a whatsapp_message row that matches `when` (SQL on
 * `new`), on every path, until the returned function lifts it.
 */
async function refuseUpdates(name: string, when: string): Promise<() => Promise<void>> {
  await db().execute(
    sql.raw(`create or replace function ${name}() returns trigger language plpgsql
      as $$ begin raise exception 'injected fault: ${name}'; end $$`),
  );
  await db().execute(
    sql.raw(`create trigger ${name} before update on whatsapp_message for each row
      when (${when}) execute function ${name}()`),
  );
  return async () => {
    await db().execute(sql.raw(`drop trigger if exists ${name} on whatsapp_message`));
    await db().execute(sql.raw(`drop function if exists ${name}()`));
  };
}

const parkedReceipts = (id: string) =>
  db()
    .select()
    .from(pendingReceipt)
    .where(and(eq(pendingReceipt.advisorId, ana.userId), eq(pendingReceipt.evolutionMessageId, id)));

const parkedChanges = (id: string) =>
  db()
    .select()
    .from(pendingMessageChange)
    .where(
      and(eq(pendingMessageChange.advisorId, ana.userId), eq(pendingMessageChange.evolutionMessageId, id)),
    );

async function rowOf(id: string) {
  const [row] = await db()
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.evolutionMessageId, id)));
  return row;
}

/** Waits until a stored webhook event naming this id has failed (its error recorded for its retry). */
const eventFailed = (id: string) =>
  waitFor(
    () =>
      db()
        .select({ error: webhookEvent.error })
        .from(webhookEvent)
        .where(
          and(
            eq(webhookEvent.advisorId, ana.userId),
            isNotNull(webhookEvent.error),
            sql`${webhookEvent.payload}::text like ${`%${id}%`}`,
          ),
        ),
    // The error names the refused statement (its message is cut before the trigger's words).
    (rows) => rows.length > 0,
    { what: `the event of ${id} failed` },
  );

describe('a parked receipt whose application fails', () => {
  it('after the send worker records the id, stays parked and is applied by the send job’s retry', async () => {
    const phone = '+34646200001';
    const row = await unqueuedTextRow(db(), ana.userId, phone, 'Tu cita es el lunes');
    await claimForSending(db(), ana.userId, row.id);
    const id = `3APARK-SEND${Date.now()}`;
    // The delivery receipt's webhook came before the gateway's answer was recorded: parked.
    await savePendingReceipt(db(), ana.userId, id, 'delivered', new Date());
    // The gateway accepted the send: the worker records its answer (on a failure the job keeps
    // the answer, and its retry runs this same recording again).
    const answer = {
      alreadySent: { result: { evolutionMessageId: id, remoteJid: jid(phone) }, at: new Date() },
    };
    const allow = await refuseUpdates(
      'ww_test_refuse_send_delivered',
      `new.id = '${row.id}' and new.status = 'delivered'`,
    );
    try {
      await expect(deliverMessage(service.runtime.ctx, ana.userId, row.id, answer)).rejects.toThrow();
      expect(await parkedReceipts(id)).toHaveLength(1);
      expect(await findMessage(db(), ana.userId, row.id)).toMatchObject({
        status: 'sent',
        deliveredAt: null,
      });
    } finally {
      await allow();
    }

    const outcome = await deliverMessage(service.runtime.ctx, ana.userId, row.id, answer);
    expect(outcome).toMatchObject({ kind: 'sent', message: { status: 'delivered' } });
    expect(await parkedReceipts(id)).toEqual([]);
  });

  it('after a message sent from the phone is stored, stays parked and is applied by its redelivery', async () => {
    const phone = '+34646200002';
    const id = `3APARK-PHONE${Date.now()}`;
    await savePendingReceipt(db(), ana.userId, id, 'read', new Date());
    const phoneMessage = envelope(
      ana.instanceName,
      'messages.upsert',
      upsertData(phone, 'Nos vemos el lunes', id, { key: { remoteJid: jid(phone), fromMe: true, id } }),
    );
    const allow = await refuseUpdates(
      'ww_test_refuse_phone_read',
      `new.evolution_message_id = '${id}' and new.status = 'read'`,
    );
    try {
      await post(phoneMessage);
      await eventFailed(id);
      expect(await parkedReceipts(id)).toHaveLength(1);
      expect(await rowOf(id)).toMatchObject({ source: 'phone', status: 'sent', readAt: null });
    } finally {
      await allow();
    }

    // Evolution delivers the message again (or the event's retry runs): it is stored already.
    await post(phoneMessage);
    // Deleted once applied, by the worker applying the event: gone means applied.
    await waitFor(
      () => parkedReceipts(id),
      (rows) => rows.length === 0,
      { what: 'the parked read receipt applied and deleted' },
    );
    expect(await rowOf(id)).toMatchObject({ status: 'read' });
  });

  it('after an echo adopts a lost send, stays parked and is applied by the webhook sweep', async () => {
    const phone = '+34646200003';
    // Claimed, sent by Evolution, but the answer never came back: its echo adopts it.
    const lost = await unqueuedTextRow(db(), ana.userId, phone, 'Recordatorio P');
    await claimForSending(db(), ana.userId, lost.id);
    const id = `3APARK-LOST${Date.now()}`;
    await savePendingReceipt(db(), ana.userId, id, 'delivered', new Date());
    const allow = await refuseUpdates(
      'ww_test_refuse_lost_delivered',
      `new.id = '${lost.id}' and new.status = 'delivered'`,
    );
    try {
      await post(sendEchoEnvelope(ana.instanceName, phone, 'Recordatorio P', id));
      await eventFailed(id);
      expect(await parkedReceipts(id)).toHaveLength(1);
      expect(await findMessage(db(), ana.userId, lost.id)).toMatchObject({
        status: 'sent',
        evolutionMessageId: id,
      });
    } finally {
      await allow();
    }

    // The echo's retry finds the send adopted (its `sent` changes nothing) and looks no further.
    await sweepWebhookEvents(service.runtime.ctx, service.runtime.webhookQueue);
    expect(await findMessage(db(), ana.userId, lost.id)).toMatchObject({ status: 'delivered' });
    expect(await parkedReceipts(id)).toEqual([]);
  });
});

describe('a parked change whose application fails', () => {
  it('after a client’s message is stored, stays parked and is applied by its redelivery', async () => {
    const phone = '+34646200004';
    const id = `PARKDEL${Date.now()}`;
    // The client deleted the message for everyone, and that webhook came first: parked.
    await parkMessageChange(db(), ana.userId, id, { kind: 'delete', at: new Date() });
    const message = envelope(
      ana.instanceName,
      'messages.upsert',
      upsertData(phone, 'mi DNI es 12345678Z', id),
    );
    const allow = await refuseUpdates(
      'ww_test_refuse_inbound_delete',
      `new.evolution_message_id = '${id}' and new.deleted_at is not null`,
    );
    try {
      await post(message);
      await eventFailed(id);
      expect(await parkedChanges(id)).toHaveLength(1);
      expect(await rowOf(id)).toMatchObject({ text: 'mi DNI es 12345678Z', deletedAt: null });
    } finally {
      await allow();
    }

    await post(message);
    await waitFor(
      () => parkedChanges(id),
      (rows) => rows.length === 0,
      { what: 'the parked deletion applied and deleted' },
    );
    const row = await rowOf(id);
    expect(row).toMatchObject({ text: null });
    expect(row!.deletedAt).not.toBeNull();
  });

  it('in the webhook sweep, stays parked, does not hold up the others and is applied by the next sweep', async () => {
    const stamp = Date.now();
    // Three API sends whose ids the worker recorded after the phone's webhooks came: A's edit and
    // C's receipt will be refused, B's edit applies. A and C come first in the sweep's order
    // (advisor, id), and receipts are applied before changes: a failure used to end the sweep
    // there, so B waited run after run behind them.
    const stored = async (phone: string, suffix: string) => {
      const row = await unqueuedTextRow(db(), ana.userId, phone, 'Tu cita es el lunes');
      await claimForSending(db(), ana.userId, row.id);
      const id = `3APARK-SWEEP-${suffix}${stamp}`;
      return { row, id, phone };
    };
    const a = await stored('+34646200005', 'A');
    const b = await stored('+34646200006', 'B');
    const c = await stored('+34646200007', 'C');
    for (const m of [a, b]) {
      await parkMessageChange(db(), ana.userId, m.id, {
        kind: 'edit',
        text: 'Tu cita es el martes',
        caption: null,
        at: new Date(),
      });
    }
    await savePendingReceipt(db(), ana.userId, c.id, 'delivered', new Date());
    for (const m of [a, b, c]) {
      await markSent(db(), ana.userId, m.row.id, {
        evolutionMessageId: m.id,
        chatJid: jid(m.phone),
        at: new Date(),
      });
    }
    const allowA = await refuseUpdates(
      'ww_test_refuse_sweep_edit',
      `new.id = '${a.row.id}' and new.edited_at is not null`,
    );
    const allowC = await refuseUpdates(
      'ww_test_refuse_sweep_receipt',
      `new.id = '${c.row.id}' and new.status = 'delivered'`,
    );
    try {
      await sweepWebhookEvents(service.runtime.ctx, service.runtime.webhookQueue);
      expect(await parkedChanges(a.id)).toHaveLength(1);
      expect(await rowOf(a.id)).toMatchObject({ text: 'Tu cita es el lunes', editedAt: null });
      expect(await parkedReceipts(c.id)).toHaveLength(1);
      expect(await rowOf(c.id)).toMatchObject({ status: 'sent' });
      expect(await rowOf(b.id)).toMatchObject({ text: 'Tu cita es el martes' });
      expect(await parkedChanges(b.id)).toEqual([]);
    } finally {
      await allowA();
      await allowC();
    }

    await sweepWebhookEvents(service.runtime.ctx, service.runtime.webhookQueue);
    expect(await rowOf(a.id)).toMatchObject({ text: 'Tu cita es el martes' });
    expect(await parkedChanges(a.id)).toEqual([]);
    expect(await rowOf(c.id)).toMatchObject({ status: 'delivered' });
    expect(await parkedReceipts(c.id)).toEqual([]);
  });
});
