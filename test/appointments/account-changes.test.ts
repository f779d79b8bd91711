// An advisor's change of locale (PUT /api/whatsapp/config) or of account name (better-auth's
// update-user) reaches the appointment messages already planned, as a template edit does
// (template-edits.test.ts). The planned rows used to keep the words they were written with at
// booking: a reminder planned in Spanish went out in Spanish weeks after the advisor had switched
// to Portuguese, its date written the old way, and `{nombre_asesor}` kept the old name.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import {
  formatAppointmentDate,
  formatAppointmentTime,
} from '../../src/domain/templates/format-appointment-time.js';
import { startServiceWithAdmin } from '../support/admin.js';
import type { HttpClient } from '../support/http.js';
import type { TestService } from '../support/service.js';
import {
  auditOf,
  booking,
  bookingAdvisor,
  inSeconds,
  messageRow,
  messageStatus,
  newPhone,
  onlyOne,
  setSettings,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin());
});
afterAll(async () => {
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];
const REMINDER_ES = 'Te recuerdo tu próxima cita';
const REMINDER_PT = 'Passando para lembrar você da sua próxima consulta';

async function book(advisor: BookingAdvisor, over: Record<string, unknown> = {}) {
  const body = booking({ address: 'Calle Mayor 1', ...over });
  const res = await advisor.api.post('/api/appointments', body);
  expect(res.status).toBe(201);
  return {
    body,
    reminder: onlyOne(res.body.messages, 'reminder'),
    followUp: onlyOne(res.body.messages, 'follow_up'),
  };
}

const rowOf = (id: string) => messageRow(service, id);

describe('a change of locale renders the planned messages again', () => {
  it('rewrites a scheduled reminder into the new language, not a sent one, a manual one nor another advisor’s', async () => {
    const ana = await bookingAdvisor(service, 'Ana');
    const bea = await bookingAdvisor(service, 'Bea');
    // Booked an hour ahead: the reminder time has passed, so it goes out at once.
    const early = await book(ana, { startsAt: inSeconds(3_600).toISOString() });
    const earlySent = await waitForStatus(ana, early.reminder.id, SENT);
    const planned = await book(ana, { clientName: 'Marta' });
    expect(planned.reminder).toMatchObject({ status: 'scheduled' });
    expect(planned.reminder.text).toContain(REMINDER_ES);
    const manual = await ana.client.post('/api/whatsapp/send', {
      to: newPhone(),
      template: { key: 'appointment_reminder' },
      variables: { nombre_cliente: 'Eva', fecha_cita: 'lunes', hora_cita: '10:00', direccion: 'Aquí' },
      scheduledAt: inSeconds(86_400).toISOString(),
    });
    expect(manual.status).toBe(202);
    const other = await book(bea);

    const res = await ana.client.put('/api/whatsapp/config', { settings: { locale: 'pt-BR' } });
    expect(res.status).toBe(200);

    const startsAt = new Date(planned.body.startsAt as string);
    const rewritten = await messageStatus(ana, planned.reminder.id);
    expect(rewritten.status).toBe('scheduled');
    expect(rewritten.scheduledAt).toBe(planned.reminder.scheduledAt);
    expect(rewritten.text).toContain(REMINDER_PT);
    expect(rewritten.text).toContain(`📅 ${formatAppointmentDate(startsAt, 'Europe/Madrid', 'pt-BR')}`);
    expect(rewritten.text).toContain(`🕐 ${formatAppointmentTime(startsAt, 'Europe/Madrid', 'pt-BR')}`);
    // The row now says which template it comes from: the Portuguese built-in.
    expect(await rowOf(planned.reminder.id)).toMatchObject({
      templateKey: 'appointment_reminder',
      templateLanguage: 'pt',
      templateId: null,
    });
    // A booking made now says the same words.
    const fresh = await book(ana, { clientName: 'Marta', startsAt: planned.body.startsAt });
    expect(rewritten.text).toBe(fresh.reminder.text);

    const entries = await auditOf(ana, planned.reminder.id);
    expect(entries.map((e) => e.action)).toEqual(['message.rerender', 'message.schedule']);
    expect(entries[0]).toMatchObject({
      actorType: 'advisor',
      content: {
        text: rewritten.text,
        template: 'appointment_reminder',
        templateId: null,
        language: 'pt',
        cause: { action: 'settings.update', locale: { from: 'es-ES', to: 'pt-BR' } },
      },
    });

    expect((await rowOf(early.reminder.id)).text).toBe(earlySent.text);
    expect((await rowOf(manual.body.message.id)).text).toBe(manual.body.message.text);
    expect((await rowOf(other.reminder.id)).text).toBe(other.reminder.text);
    expect(await auditOf(bea, other.reminder.id)).toHaveLength(1);
  });

  it('rewrites the time as the new locale writes it within the same language', async () => {
    const cora = await bookingAdvisor(service, 'Cora');
    // Morning in Madrid: es-ES writes "9:30", es-MX "9:30 a.m.".
    const day = inSeconds(5 * 86_400);
    day.setUTCHours(8, 30, 0, 0);
    const { body, reminder } = await book(cora, { startsAt: day.toISOString() });
    const startsAt = new Date(body.startsAt as string);
    expect(reminder.text).toContain(`🕐 ${formatAppointmentTime(startsAt, 'Europe/Madrid', 'es-ES')}\n`);
    const mexican = formatAppointmentTime(startsAt, 'Europe/Madrid', 'es-MX');
    expect(mexican).not.toBe(formatAppointmentTime(startsAt, 'Europe/Madrid', 'es-ES'));

    await setSettings(cora, { locale: 'es-MX' });
    const row = await rowOf(reminder.id);
    expect(row.text).toContain(`🕐 ${mexican}\n`);
    expect(row.templateLanguage).toBe('es');
  });

  it('rewrites nothing when the settings change leaves the locale alone', async () => {
    const dora = await bookingAdvisor(service, 'Dora');
    const { reminder } = await book(dora);
    // Words that planning would not write: only a re-render would replace them.
    await service.database.db
      .update(whatsappMessage)
      .set({ text: 'palabras de antes' })
      .where(eq(whatsappMessage.id, reminder.id));

    await setSettings(dora, { quietHours: { start: '22:00', end: '07:00' } });
    await setSettings(dora, { locale: 'es-ES' }); // the locale it already has
    expect((await rowOf(reminder.id)).text).toBe('palabras de antes');
    expect((await auditOf(dora, reminder.id)).map((e) => e.action)).toEqual(['message.schedule']);
  });

  it('refuses a locale a planned message could not be written in, and changes nothing', async () => {
    const eli = await bookingAdvisor(service, 'Eli');
    // An English override within WhatsApp's limit as written, over it with this client's name.
    const long = `${'x'.repeat(3_600)} ${'{nombre_cliente}'.repeat(20)}`;
    const created = await eli.client.post('/api/whatsapp/templates', {
      key: 'appointment_reminder',
      name: 'Long reminder',
      category: 'reminder',
      language: 'en',
      body: long,
      overridesBuiltIn: true,
    });
    expect(created.status).toBe(201);
    const { reminder } = await book(eli, { clientName: 'Marta '.repeat(5).trim() });

    const res = await eli.client.put('/api/whatsapp/config', { settings: { locale: 'en-GB' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain(reminder.id);
    expect(res.body.error.details).toMatchObject({ messageId: reminder.id });
    expect((await eli.client.get('/api/whatsapp/config')).body.settings.locale).toBe('es-ES');
    expect((await rowOf(reminder.id)).text).toBe(reminder.text);
  });
});

describe('a change of account name renders the planned messages again', () => {
  it('rewrites {nombre_asesor} in a scheduled follow-up', async () => {
    const fina = await bookingAdvisor(service, 'Fina');
    const { followUp } = await book(fina);
    expect(followUp.status).toBe('scheduled');
    expect(followUp.text).toContain('\nFina\n');

    const res = await fina.client.post('/api/auth/update-user', { name: 'Fina Gómez' });
    expect(res.status).toBe(200);

    const row = await rowOf(followUp.id);
    expect(row.text).toBe(followUp.text.replace('\nFina\n', '\nFina Gómez\n'));
    const entries = await auditOf(fina, followUp.id);
    expect(entries.map((e) => e.action)).toEqual(['message.rerender', 'message.schedule']);
    expect(entries[0]).toMatchObject({
      actorType: 'advisor',
      content: { text: row.text, cause: { action: 'account.update' } },
    });

    // The image alone, or the same name again: nothing to rewrite.
    await service.database.db
      .update(whatsappMessage)
      .set({ text: 'palabras de antes' })
      .where(eq(whatsappMessage.id, followUp.id));
    expect((await fina.client.post('/api/auth/update-user', { image: null })).status).toBe(200);
    expect((await fina.client.post('/api/auth/update-user', { name: 'Fina Gómez' })).status).toBe(200);
    expect((await rowOf(followUp.id)).text).toBe('palabras de antes');
  });

  it("follows an admin's change of the advisor's name, by the admin", async () => {
    const gala = await bookingAdvisor(service, 'Gala');
    const { followUp } = await book(gala);
    const adminId = (await admin.get('/api/auth/get-session')).body.user.id as string;

    const res = await admin.post('/api/auth/admin/update-user', {
      userId: gala.userId,
      data: { name: 'Gala Ruiz' },
    });
    expect(res.status).toBe(200);

    const row = await rowOf(followUp.id);
    expect(row.text).toBe(followUp.text.replace('\nGala\n', '\nGala Ruiz\n'));
    expect((await auditOf(gala, followUp.id))[0]).toMatchObject({
      action: 'message.rerender',
      actorType: 'admin',
      actorId: adminId,
      content: { cause: { action: 'account.update', fields: ['name'] } },
    });
  });
});
