// A template change and an appointment change racing for the advisor's template lock
// (lockAdvisorTemplates: exclusive for the change, shared for the booking, reschedule…). Without
// it a booking could read the old template, the edit commit having looked for planned messages
// without seeing the booking's uncommitted ones, and the booking commit after: its reminder kept
// the old words for good. template-edits.test.ts runs them one after the other; here each side is
// stopped inside its transaction, past the point that matters, by a row lock another connection
// holds (as the worker's claim or an inbound message's write would), and the other side is seen
// in pg_stat_activity waiting for the template lock, or answering without waiting, before the
// first is let go. So the interleaving is forced, not hoped for.
//
// PostgreSQL only: PGlite has one connection, so one transaction at a time and no race to lose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { inFlight, lockRace, type LockRace } from '../support/pg-locks.js';
import {
  booking,
  bookingAdvisor,
  detail,
  inSeconds,
  onlyOne,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) console.log('template-lock-race: skipped on PGlite (set DATABASE_URL to run it)');

let service: TestService;
let race: LockRace;
beforeAll(async () => {
  if (!onPostgres) return;
  service = await startTestService();
  race = await lockRace(service);
});
afterAll(async () => {
  await race?.close();
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const REMINDER_ES = '/api/whatsapp/templates/builtin:appointment_reminder:es';
const CONFIRMATION_ES = '/api/whatsapp/templates/builtin:appointment_confirmation:es';
const NEW_REMINDER = 'Nuevo: {nombre_cliente}, te espero el {fecha_cita} a las {hora_cita}. {nombre_asesor}';
const NEW_CONFIRMATION = 'Confirmada: {nombre_cliente}, el {fecha_cita} a las {hora_cita}. {nombre_asesor}';
const BUILTIN_REMINDER = 'Te recuerdo tu próxima cita';

/** An advisor of its own for each test, so that the counts are exact. */
const advisorNamed = (name: string, settings: Record<string, unknown> = {}) =>
  bookingAdvisor(service, name, settings);

async function bookOne(advisor: BookingAdvisor, over: Record<string, unknown> = {}) {
  const body = booking(over);
  const res = await advisor.api.post('/api/appointments', body);
  expect(res.status).toBe(201);
  return { body, messages: res.body.messages as any[] };
}

/** The appointment's message of this kind that has not gone out, as the API shows it now. */
const plannedMessage = async (advisor: BookingAdvisor, externalId: string, purpose: string) =>
  onlyOne(
    (await detail(advisor, externalId)).messages.filter((m: any) =>
      ['scheduled', 'queued'].includes(m.status),
    ),
    purpose,
  );

describe.skipIf(!onPostgres)('a template change and an appointment change racing (PostgreSQL)', () => {
  it('a booking that comes while an edit holds the lock waits, and plans with the new words', async () => {
    const ana = await advisorNamed('Ana');
    const earlier = await bookOne(ana);
    const held = await race.holdMessage(onlyOne(earlier.messages, 'reminder').id);
    try {
      // The edit has the lock, the override written and the planned reminders read; it stops at
      // writing the held one, before its commit.
      const editing = inFlight(ana.client.put(REMINDER_ES, { body: NEW_REMINDER }));
      await race.untilWaitingForRow('the edit writing the held reminder');
      const body = booking({ clientName: 'Lucía' });
      const booked = inFlight(ana.api.post('/api/appointments', body));
      await race.untilAnsweredOrStopped(booked, 'the booking');
      await held.release();

      const edit = await editing.answer;
      expect(edit.status).toBe(200);
      // The earlier reminder only: the booking had not planned anything when the edit looked.
      expect(edit.body.rerendered).toBe(1);
      expect((await booked.answer).status).toBe(201);
      const reminder = await plannedMessage(ana, body.externalId, 'reminder');
      expect(reminder).toMatchObject({ status: 'scheduled', text: expect.stringMatching(/^Nuevo: Lucía, /) });
      expect((await plannedMessage(ana, earlier.body.externalId, 'reminder')).text).toMatch(
        /^Nuevo: Marta, /,
      );
    } finally {
      await held.release();
    }
  });

  it('an edit that comes while a booking holds the lock waits, and rewrites what the booking planned', async () => {
    const bea = await advisorNamed('Bea');
    const body = booking({ clientName: 'Lucía' });
    // The confirmation is the one message the booking renders before it can be stopped (at its
    // first write, below); it goes out at once, so the worker stands aside until the end.
    const sendWorker = service.runtime.workers!.sendWorker;
    await sendWorker.pause();
    // An inbound message from this new client being recorded: the booking's write of the client
    // row waits for it, the confirmation already rendered from the template as it was.
    const held = await race.holdRow(
      'insert into whatsapp_client (advisor_id, phone, name) values ($1, $2, $3)',
      [bea.userId, body.clientPhone, 'Lucía'],
    );
    try {
      const booked = inFlight(bea.api.post('/api/appointments', body));
      await race.untilWaitingForRow('the booking writing the client row');
      const editing = inFlight(bea.client.put(CONFIRMATION_ES, { body: NEW_CONFIRMATION }));
      await race.untilAnsweredOrStopped(editing, 'the edit');
      await held.release();

      const res = await booked.answer;
      expect(res.status).toBe(201);
      // What the booking wrote, before the edit: the built-in's words.
      expect(onlyOne(res.body.messages, 'confirmation').text).toMatch(/^Hola, Lucía\. Soy Bea/);
      const edit = await editing.answer;
      expect(edit.status).toBe(200);
      const confirmation = await plannedMessage(bea, body.externalId, 'confirmation');
      expect(confirmation).toMatchObject({
        status: 'queued',
        text: expect.stringMatching(/^Confirmada: Lucía, /),
      });
      expect(edit.body.rerendered).toBe(1);

      sendWorker.resume();
      await waitForStatus(bea, confirmation.id, SENT);
      expect(await textsTo(bea, body.clientPhone)).toEqual([confirmation.text]);
    } finally {
      await held.release();
      sendWorker.resume();
    }
  });

  it('a reschedule that comes while an edit holds the lock waits, and plans with the new words', async () => {
    const carla = await advisorNamed('Carla');
    // Booked an hour ahead: its reminder goes out at once, so the edit has nothing of it to rewrite.
    const moved = await bookOne(carla, { startsAt: inSeconds(3_600).toISOString() });
    await waitForStatus(carla, onlyOne(moved.messages, 'reminder').id, SENT);
    const earlier = await bookOne(carla);
    const held = await race.holdMessage(onlyOne(earlier.messages, 'reminder').id);
    try {
      const editing = inFlight(carla.client.put(REMINDER_ES, { body: NEW_REMINDER }));
      await race.untilWaitingForRow('the edit writing the held reminder');
      const patching = inFlight(
        carla.api.patch(`/api/appointments/${moved.body.externalId}`, {
          startsAt: inSeconds(3 * 86_400).toISOString(),
        }),
      );
      await race.untilAnsweredOrStopped(patching, 'the reschedule');
      await held.release();

      const edit = await editing.answer;
      expect(edit.status).toBe(200);
      expect(edit.body.rerendered).toBe(1);
      expect((await patching.answer).status).toBe(200);
      const reminder = await plannedMessage(carla, moved.body.externalId, 'reminder');
      expect(reminder).toMatchObject({ status: 'scheduled', text: expect.stringMatching(/^Nuevo: Marta, /) });
    } finally {
      await held.release();
    }
  });

  it('an edit that comes while a reschedule holds the lock waits, and rewrites the reminder it planned', async () => {
    // No notice: the reminder is then the first message the reschedule renders.
    const dora = await advisorNamed('Dora', { rescheduleNotice: false });
    const moved = await bookOne(dora);
    // The client writes in while the reschedule plans: its write of the client row waits.
    const held = await race.holdRow(
      'select phone from whatsapp_client where advisor_id = $1 and phone = $2 for update',
      [dora.userId, moved.body.clientPhone],
    );
    try {
      const patching = inFlight(
        dora.api.patch(`/api/appointments/${moved.body.externalId}`, {
          startsAt: inSeconds(4 * 86_400).toISOString(),
        }),
      );
      await race.untilWaitingForRow('the reschedule writing the client row');
      const editing = inFlight(dora.client.put(REMINDER_ES, { body: NEW_REMINDER }));
      await race.untilAnsweredOrStopped(editing, 'the edit');
      await held.release();

      expect((await patching.answer).status).toBe(200);
      const edit = await editing.answer;
      expect(edit.status).toBe(200);
      const reminder = await plannedMessage(dora, moved.body.externalId, 'reminder');
      expect(reminder).toMatchObject({ status: 'scheduled', text: expect.stringMatching(/^Nuevo: Marta, /) });
      // The reschedule's new reminder; the one it replaced was cancelled before the edit looked.
      expect(edit.body.rerendered).toBe(1);
    } finally {
      await held.release();
    }
  });

  it("a booking that comes while an override's deletion holds the lock plans with the built-in words", async () => {
    const eva = await advisorNamed('Eva');
    const override = await eva.client.put(REMINDER_ES, { body: NEW_REMINDER });
    expect(override.status).toBe(200);
    const earlier = await bookOne(eva);
    const held = await race.holdMessage(onlyOne(earlier.messages, 'reminder').id);
    try {
      const deleting = inFlight(eva.client.delete(`/api/whatsapp/templates/${override.body.id}`));
      await race.untilWaitingForRow('the deletion writing the held reminder');
      const body = booking({ clientName: 'Lucía' });
      const booked = inFlight(eva.api.post('/api/appointments', body));
      await race.untilAnsweredOrStopped(booked, 'the booking');
      await held.release();

      expect((await deleting.answer).status).toBe(204);
      expect((await booked.answer).status).toBe(201);
      for (const externalId of [body.externalId, earlier.body.externalId]) {
        const reminder = await plannedMessage(eva, externalId, 'reminder');
        expect(reminder.status).toBe('scheduled');
        expect(reminder.text).toContain(BUILTIN_REMINDER);
      }
    } finally {
      await held.release();
    }
  });
  it('a change of locale that comes while a booking holds the lock waits, and rewrites what it planned', async () => {
    const cris = await advisorNamed('Cris');
    const body = booking({ clientName: 'Lucía' });
    // As in the template edit's case: the booking stopped at its write of the client row, its
    // confirmation already rendered in Spanish; the worker stands aside until the end.
    const sendWorker = service.runtime.workers!.sendWorker;
    await sendWorker.pause();
    const held = await race.holdRow(
      'insert into whatsapp_client (advisor_id, phone, name) values ($1, $2, $3)',
      [cris.userId, body.clientPhone, 'Lucía'],
    );
    try {
      const booked = inFlight(cris.api.post('/api/appointments', body));
      await race.untilWaitingForRow('the booking writing the client row');
      const changing = inFlight(cris.client.put('/api/whatsapp/config', { settings: { locale: 'pt-BR' } }));
      await race.untilAnsweredOrStopped(changing, 'the locale change');
      await held.release();

      const res = await booked.answer;
      expect(res.status).toBe(201);
      expect(onlyOne(res.body.messages, 'confirmation').text).toMatch(/^Hola, Lucía\. Soy Cris/);
      expect((await changing.answer).status).toBe(200);
      const confirmation = await plannedMessage(cris, body.externalId, 'confirmation');
      expect(confirmation).toMatchObject({
        status: 'queued',
        text: expect.stringMatching(/^Olá, Lucía\. Aqui é Cris/),
      });
      expect((await plannedMessage(cris, body.externalId, 'reminder')).text).toContain(
        'Passando para lembrar',
      );

      sendWorker.resume();
      await waitForStatus(cris, confirmation.id, SENT);
      expect(await textsTo(cris, body.clientPhone)).toEqual([confirmation.text]);
    } finally {
      await held.release();
      sendWorker.resume();
    }
  });
});
