// An advisor's edit of a template reaches the appointment messages already planned from it. The
// planned rows used to keep the words they were written with at booking, so a reminder planned
// weeks ahead went out with the typo the advisor had since fixed, or the old address. Now the
// edit (and the deletion of an override, which brings the built-in back) renders again, in the
// same transaction, the advisor's automated messages that have not gone out yet; a message
// already claimed by the worker, sent, or sent by hand is left as it is.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { sendJobId } from '../../src/jobs/catalogue.js';
import {
  listPlannedFromTemplate,
  rewritePlannedMessages,
} from '../../src/db/repositories/planned-message.repository.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  auditOf,
  booking,
  bookingAdvisor,
  inSeconds,
  messageRow,
  messageStatus,
  newPhone,
  onlyOne,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
let bea: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await bookingAdvisor(service, 'Ana');
  bea = await bookingAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const REMINDER_ES = '/api/whatsapp/templates/builtin:appointment_reminder:es';
const NEW_BODY =
  'Nuevo: {nombre_cliente}, te espero el {fecha_cita} a las {hora_cita} en {direccion}. {nombre_asesor}';

/** The reminder's new wording, with the values the booking's own reminder was written with. */
function newWording(builtinText: string, client: string, address: string, advisor: string): string {
  const date = /📅 (.*)/.exec(builtinText)![1];
  const time = /🕐 (.*)/.exec(builtinText)![1];
  return `Nuevo: ${client}, te espero el ${date} a las ${time} en ${address}. ${advisor}`;
}

async function bookReminder(advisor: BookingAdvisor, over: Record<string, unknown> = {}) {
  const body = booking({ address: 'Calle Mayor 1', ...over });
  const res = await advisor.api.post('/api/appointments', body);
  expect(res.status).toBe(201);
  return { body, reminder: onlyOne(res.body.messages, 'reminder') };
}

async function editReminder(advisor: BookingAdvisor, body: string) {
  const res = await advisor.client.put(REMINDER_ES, { body });
  expect(res.status).toBe(200);
  return res.body as { id: string };
}

const rowOf = (id: string) => messageRow(service, id);

describe('editing a template renders the planned messages again', () => {
  it("rewrites the advisor's scheduled reminder, not one already sent nor another advisor's", async () => {
    // Booked an hour ahead: the reminder time (a day before) has passed, so it goes out at once.
    const early = await bookReminder(ana, { startsAt: inSeconds(3_600).toISOString() });
    const earlySent = await waitForStatus(ana, early.reminder.id, SENT);
    const planned = await bookReminder(ana, { clientName: 'Marta' });
    expect(planned.reminder.status).toBe('scheduled');
    const other = await bookReminder(bea);

    const override = await editReminder(ana, NEW_BODY);

    const rerendered = await messageStatus(ana, planned.reminder.id);
    const expected = newWording(planned.reminder.text, 'Marta', 'Calle Mayor 1', 'Ana');
    expect(rerendered).toMatchObject({ status: 'scheduled', text: expected });
    expect(rerendered.scheduledAt).toBe(planned.reminder.scheduledAt);
    expect((await rowOf(planned.reminder.id)).templateId).toBe(override.id);
    // The audit log says what will now be sent, by whom and why.
    const entries = await auditOf(ana, planned.reminder.id);
    expect(entries.map((e) => e.action)).toEqual(['message.rerender', 'message.schedule']);
    expect(entries[0]).toMatchObject({
      actorType: 'advisor',
      phone: planned.body.clientPhone,
      content: {
        text: expected,
        template: 'appointment_reminder',
        templateId: override.id,
        cause: { action: 'template.update', templateId: override.id },
      },
    });

    expect(await messageStatus(ana, early.reminder.id)).toMatchObject({ text: earlySent.text });
    expect(earlySent.text).toContain('Te recuerdo tu próxima cita');
    const beas = await messageStatus(bea, other.reminder.id);
    expect(beas.text).toBe(other.reminder.text);
    expect(beas.text).toContain('Te recuerdo tu próxima cita');
    expect(await auditOf(bea, other.reminder.id)).toHaveLength(1);
  });

  it('goes back to the built-in wording when the override is deleted', async () => {
    const { reminder } = await bookReminder(ana);
    // The first test left Ana's override in place: her reminder was planned with it.
    expect(reminder.text).toMatch(/^Nuevo: /);
    const override = await editReminder(ana, `${NEW_BODY} (v2)`);
    expect((await messageStatus(ana, reminder.id)).text).toMatch(/\(v2\)$/);

    const res = await ana.client.delete(`/api/whatsapp/templates/${override.id}`);
    expect(res.status).toBe(204);
    const back = await messageStatus(ana, reminder.id);
    expect(back.text).toContain('Te recuerdo tu próxima cita');
    expect(back.text).toContain('📍 Calle Mayor 1');
    expect((await rowOf(reminder.id)).templateId).toBeNull();
    const entries = await auditOf(ana, reminder.id);
    expect(entries[0]).toMatchObject({
      action: 'message.rerender',
      content: { text: back.text, templateId: null, cause: { action: 'template.delete' } },
    });
  });

  it('renders them again when the override is created with POST instead of PUT', async () => {
    // An advisor (or another module) may replace a built-in by creating the override outright.
    // The reminders planned before it used to keep the built-in's words while new bookings got
    // the override's.
    const cora = await bookingAdvisor(service, 'Cora');
    const planned = await bookReminder(cora, { clientName: 'Marta' });
    expect(planned.reminder.text).toContain('Te recuerdo tu próxima cita');

    const res = await cora.client.post('/api/whatsapp/templates', {
      key: 'appointment_reminder',
      name: 'Mi recordatorio',
      category: 'reminder',
      language: 'es',
      body: NEW_BODY,
      overridesBuiltIn: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ overridesBuiltIn: true, rerendered: 1 });

    const expected = newWording(planned.reminder.text, 'Marta', 'Calle Mayor 1', 'Cora');
    expect(await messageStatus(cora, planned.reminder.id)).toMatchObject({
      status: 'scheduled',
      text: expected,
    });
    expect((await rowOf(planned.reminder.id)).templateId).toBe(res.body.id);
    const entries = await auditOf(cora, planned.reminder.id);
    expect(entries[0]).toMatchObject({
      action: 'message.rerender',
      content: {
        text: expected,
        templateId: res.body.id,
        cause: { action: 'template.create', templateId: res.body.id },
      },
    });

    // A template of the advisor's own (not a built-in's key) changes no planned message.
    const own = await cora.client.post('/api/whatsapp/templates', {
      key: 'mi_plantilla',
      name: 'Mía',
      category: 'custom',
      language: 'es',
      body: 'Hola {nombre_cliente}',
    });
    expect(own.status).toBe(201);
    expect(own.body.rerendered).toBe(0);
  });

  it('sends the new wording when the reminder comes due', async () => {
    const { body, reminder } = await bookReminder(ana, { clientName: 'Lucía' });
    await editReminder(ana, NEW_BODY);
    const expected = newWording(
      (await bookReminder(bea, { startsAt: body.startsAt })).reminder.text,
      'Lucía',
      'Calle Mayor 1',
      'Ana',
    );

    // Its day comes: the row is due and its delayed job runs now, through the worker and gateway.
    await service.database.db
      .update(whatsappMessage)
      .set({ scheduledAt: new Date(Date.now() - 1_000) })
      .where(eq(whatsappMessage.id, reminder.id));
    await (await service.runtime.messages.queue.getJob(sendJobId(reminder.id)))!.promote();
    const sent = await waitForStatus(ana, reminder.id, SENT);
    expect(sent.text).toBe(expected);
    expect(await textsTo(ana, body.clientPhone)).toContain(expected);
  });

  it('leaves alone a message the worker has claimed, one whose attempt may have arrived, and a manual send', async () => {
    const waiting = await bookReminder(ana);
    const claimed = await bookReminder(ana);
    const uncertain = await bookReminder(ana);
    await service.database.db
      .update(whatsappMessage)
      .set({ status: 'sending', updatedAt: new Date() })
      .where(eq(whatsappMessage.id, claimed.reminder.id));
    await service.database.db
      .update(whatsappMessage)
      .set({ status: 'queued', uncertainUntil: inSeconds(600) })
      .where(eq(whatsappMessage.id, uncertain.reminder.id));
    // A send by hand from the template, for later: the sender chose its words and its values.
    const manual = await ana.client.post('/api/whatsapp/send', {
      to: newPhone(),
      template: { key: 'appointment_reminder' },
      variables: { nombre_cliente: 'Eva', fecha_cita: 'lunes', hora_cita: '10:00', direccion: 'Aquí' },
      scheduledAt: inSeconds(86_400).toISOString(),
    });
    expect(manual.status).toBe(202);

    await editReminder(ana, `${NEW_BODY} (v3)`);
    expect((await rowOf(waiting.reminder.id)).text).toMatch(/\(v3\)$/);
    expect((await rowOf(claimed.reminder.id)).text).toBe(claimed.reminder.text);
    expect((await rowOf(uncertain.reminder.id)).text).toBe(uncertain.reminder.text);
    expect((await rowOf(manual.body.message.id)).text).toBe(manual.body.message.text);
  });

  it('refuses an edit that a planned message could not be rendered with, and changes nothing', async () => {
    const name = 'Marta '.repeat(5).trim();
    const { reminder } = await bookReminder(ana, { clientName: name });
    const before = (await ana.client.get(REMINDER_ES)).body.body;
    // Within WhatsApp's 4096 characters as written; over them with this client's name, 20 times.
    const long = `${'x'.repeat(3_600)} ${'{nombre_cliente}'.repeat(20)}`;
    const res = await ana.client.put(REMINDER_ES, { body: long });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain(reminder.id);
    expect((await ana.client.get(REMINDER_ES)).body.body).toBe(before);
    expect((await rowOf(reminder.id)).text).toBe(reminder.text);
  });
});

describe('how many planned messages an edit rewrote', () => {
  // An advisor of its own, so that the counts are exact.
  let carla: BookingAdvisor;
  beforeAll(async () => {
    carla = await bookingAdvisor(service, 'Carla');
  });

  it('answers the number on PUT, leaving out a claimed reminder and the other keys', async () => {
    const waiting = [await bookReminder(carla), await bookReminder(carla)];
    const claimed = await bookReminder(carla);
    await service.database.db
      .update(whatsappMessage)
      .set({ status: 'sending', updatedAt: new Date() })
      .where(eq(whatsappMessage.id, claimed.reminder.id));

    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const unsubscribe = await service.runtime.events.subscribe(carla.userId, (e) => seen.push(e as never));
    const edit = await carla.client.put(REMINDER_ES, { body: NEW_BODY });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ key: 'appointment_reminder', rerendered: 2 });
    // Each rewritten message is published live with its new words.
    const rewrittenLive = async () =>
      seen
        .filter((e) => e.type === 'message' && /^Nuevo: /.test(String(e.data.text)))
        .map((e) => String(e.data.id));
    await waitFor(rewrittenLive, (ids) => ids.length >= 2, { what: 'the rewritten messages published' });
    await unsubscribe();
    expect((await rewrittenLive()).sort()).toEqual(waiting.map((w) => w.reminder.id).sort());
    for (const { reminder } of waiting) {
      expect((await rowOf(reminder.id)).text).toMatch(/^Nuevo: /);
      expect((await auditOf(carla, reminder.id)).map((e) => e.action)).toEqual([
        'message.rerender',
        'message.schedule',
      ]);
    }
    expect((await rowOf(claimed.reminder.id)).text).toBe(claimed.reminder.text);
    expect((await auditOf(carla, claimed.reminder.id)).map((e) => e.action)).toEqual(['message.schedule']);

    // The same words again: nothing says something else, so nothing was rewritten.
    expect(
      (await carla.client.put(`/api/whatsapp/templates/${edit.body.id}`, { body: NEW_BODY })).body,
    ).toMatchObject({ rerendered: 0 });
    // Each booking also planned a follow-up: all three are still waiting.
    const followUp = await carla.client.put('/api/whatsapp/templates/builtin:follow_up:es', {
      body: 'Gracias, {nombre_cliente}. {mensaje_personalizado} {nombre_asesor}',
    });
    expect(followUp.body).toMatchObject({ key: 'follow_up', rerendered: 3 });

    // DELETE stays 204 (its documented answer): the two waiting reminders went back to the
    // built-in's words, each with a template.delete entry, and the claimed one got none.
    const deleted = await carla.client.delete(`/api/whatsapp/templates/${edit.body.id}`);
    expect(deleted.status).toBe(204);
    for (const { reminder } of waiting)
      expect((await auditOf(carla, reminder.id)).map((e) => e.action)).toEqual([
        'message.rerender',
        'message.rerender',
        'message.schedule',
      ]);
    expect((await auditOf(carla, claimed.reminder.id)).map((e) => e.action)).toEqual(['message.schedule']);
    expect((await rowOf(claimed.reminder.id)).text).toBe(claimed.reminder.text);
    for (const { reminder } of waiting) expect((await rowOf(reminder.id)).text).toBe(reminder.text);
  });

  it('writes none of the rows the worker claimed between the read and the write', async () => {
    const first = await bookReminder(carla);
    const second = await bookReminder(carla);
    const db = service.database.db;
    const now = new Date();
    const planned = (
      await listPlannedFromTemplate(db, carla.userId, { key: 'appointment_reminder', language: 'es' }, now)
    ).filter((p) => [first.reminder.id, second.reminder.id].includes(p.message.id));
    expect(planned).toHaveLength(2);
    await db
      .update(whatsappMessage)
      .set({ status: 'sending', updatedAt: new Date() })
      .where(eq(whatsappMessage.id, second.reminder.id));

    const content = (text: string) => ({
      text,
      templateId: null,
      templateKey: 'appointment_reminder',
      templateLanguage: 'es',
    });
    const written = await rewritePlannedMessages(
      db,
      carla.userId,
      planned.map((p) => ({ id: p.message.id, content: content(`otro ${p.message.id}`) })),
      now,
    );
    expect(written.map((row) => row.id)).toEqual([first.reminder.id]);
    expect(written[0]).toMatchObject({ text: `otro ${first.reminder.id}`, status: 'scheduled' });
    expect((await rowOf(second.reminder.id)).text).toBe(second.reminder.text);
    // Another advisor's id in the batch is not theirs to write.
    expect(
      await rewritePlannedMessages(db, ana.userId, [{ id: first.reminder.id, content: content('x') }], now),
    ).toEqual([]);
  });
});
