// POST /api/appointments as the booking module calls it: the confirmation goes out at once, the
// reminder and the follow-up wait in Redis for the planned instants, repeats are idempotent, and
// bad input is refused before anything is stored.
import { count, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANT_NO_OFFSET_MESSAGE } from '../../src/api/schemas/instant.schema.js';
import { appointment, whatsappConfig, whatsappMessage, whatsappTemplate } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  booking,
  bookingAdvisor,
  inSeconds,
  jobDueAt,
  jobExists,
  onlyOne,
  setFeature,
  setSettings,
  textsTo,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await bookingAdvisor(service, 'Ana López');
});
afterAll(async () => {
  await service?.close();
});

const rowsOf = async (appointmentId: string) =>
  (
    await service.database.db
      .select({ n: count() })
      .from(whatsappMessage)
      .where(eq(whatsappMessage.appointmentId, appointmentId))
  )[0]!.n;

describe('booking an appointment', () => {
  it('confirms at once and schedules the reminder and follow-up at the planned instants', async () => {
    const startsAt = DateTime.now()
      .setZone('Europe/Madrid')
      .plus({ days: 5 })
      .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    const start = startsAt.toJSDate();
    const body = booking({ startsAt: startsAt.toISO(), address: 'Calle Mayor 1, Madrid' });
    const res = await ana.api.post('/api/appointments', {
      ...body,
      endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
    });
    expect(res.status).toBe(201);
    expect(res.body.appointment).toMatchObject({
      externalId: body.externalId,
      clientPhone: body.clientPhone,
      status: 'scheduled',
      version: 1,
      timezone: 'Europe/Madrid',
    });
    expect(res.body.messages).toHaveLength(3);

    const confirmation = onlyOne(res.body.messages, 'confirmation');
    expect(confirmation).toMatchObject({ templateKey: 'appointment_confirmation', source: 'automation' });
    await waitForStatus(ana, confirmation.id, ['sent', 'delivered', 'read']);
    const texts = await textsTo(ana, body.clientPhone);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('Marta');
    expect(texts[0]).toContain('Ana López');
    expect(texts[0]).toContain('10:00');

    // The day before at the same wall-clock time, and two hours after the end (advisor defaults).
    const reminder = onlyOne(res.body.messages, 'reminder');
    const expectedReminder = DateTime.fromJSDate(start, { zone: 'Europe/Madrid' })
      .minus({ days: 1 })
      .toJSDate();
    expect(reminder).toMatchObject({ status: 'scheduled', scheduledAt: expectedReminder.toISOString() });
    expect(reminder.text).toContain('Calle Mayor 1, Madrid');
    const followUp = onlyOne(res.body.messages, 'follow_up');
    expect(followUp).toMatchObject({
      status: 'scheduled',
      scheduledAt: new Date(start.getTime() + 3_600_000 + 2 * 3_600_000).toISOString(),
    });
    // Redis holds them as delayed jobs due at exactly those instants.
    expect(await jobDueAt(service, reminder.id)).toBeCloseTo(expectedReminder.getTime(), -2);
    expect(await jobDueAt(service, followUp.id)).toBeCloseTo(new Date(followUp.scheduledAt).getTime(), -2);
  });

  it('plans the follow-up of the latest, longest appointment after the longest delay', async () => {
    // Every bound at its most: a start 364 days ahead, 31 days long, a follow-up 30 days after its
    // end. That is 425 days ahead, past the 400 days a caller's scheduledAt may be: the follow-up
    // was stored failed (validation_failed) for a booking the API had accepted.
    const far = await bookingAdvisor(service, 'Lejana Paciente', { followUpDelayMinutes: 43_200 });
    const start = inSeconds(364 * 86_400);
    const end = new Date(start.getTime() + 31 * 86_400_000);
    const res = await far.api.post(
      '/api/appointments',
      booking({ startsAt: start.toISOString(), endsAt: end.toISOString() }),
    );
    expect(res.status).toBe(201);
    const followUp = onlyOne(res.body.messages, 'follow_up');
    expect(followUp).toMatchObject({
      status: 'scheduled',
      scheduledAt: new Date(end.getTime() + 30 * 86_400_000).toISOString(),
    });
    expect(await jobExists(service, followUp.id)).toBe(true);
  });

  it('answers a repeat with the same data with 201, the same messages and a replay header, planning nothing', async () => {
    const body = booking();
    const first = await ana.api.post('/api/appointments', body);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await ana.api.post('/api/appointments', body);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.appointment.id).toBe(first.body.appointment.id);
    expect(again.body.messages.map((m: any) => m.id).sort()).toEqual(
      first.body.messages.map((m: any) => m.id).sort(),
    );
    expect(await rowsOf(first.body.appointment.id)).toBe(3);
    // The phone number written another way is still the same booking.
    const national = await ana.api.post('/api/appointments', {
      ...body,
      clientPhone: body.clientPhone.replace('+34', ''),
    });
    expect(national.status).toBe(201);
    expect(national.headers.get('idempotent-replayed')).toBe('true');
  });

  it('reads, reschedules and cancels an appointment whose externalId has the full 200 characters', async () => {
    // The router's parameter bound (100 by default) once made such a booking unreachable.
    const externalId = `long-${'é'.repeat(195)}`;
    const path = `/api/appointments/${encodeURIComponent(externalId)}`;
    expect((await ana.api.post('/api/appointments', booking({ externalId }))).status).toBe(201);
    const read = await ana.api.get(path);
    expect(read.status).toBe(200);
    expect(read.body.appointment.externalId).toBe(externalId);
    expect((await ana.api.patch(path, { notes: 'planta baja' })).status).toBe(200);
    expect((await ana.api.post(`${path}/cancel`)).status).toBe(200);
    expect((await ana.api.get(path)).body.appointment.status).toBe('cancelled');
  });

  it('refuses "." and ".." as an externalId: no URL can read or cancel such an appointment', async () => {
    for (const externalId of ['.', '..', ' .. ']) {
      const res = await ana.api.post('/api/appointments', booking({ externalId }));
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields).toEqual([
        { field: 'externalId', message: expect.stringContaining('"." or ".."') },
      ]);
    }
    expect((await ana.api.post('/api/appointments', booking({ externalId: '...' }))).status).toBe(201);
    expect((await ana.api.get('/api/appointments/...')).body.appointment.externalId).toBe('...');
  });

  it('refuses a repeat with different data with 409 conflict pointing to PATCH', async () => {
    const body = booking();
    await ana.api.post('/api/appointments', body);
    const other = await ana.api.post('/api/appointments', {
      ...body,
      startsAt: inSeconds(4 * 86_400).toISOString(),
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflict');
    expect(other.body.error.message).toContain('PATCH');
    expect(other.body.error.details.fields).toEqual(['startsAt']);
  });

  it('answers a repeat of a cancelled appointment as it is, and sends a changed one to a new externalId', async () => {
    const body = booking();
    expect((await ana.api.post('/api/appointments', body)).status).toBe(201);
    expect((await ana.api.post(`/api/appointments/${body.externalId}/cancel`)).status).toBe(200);
    const replay = await ana.api.post('/api/appointments', body);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.appointment.status).toBe('cancelled');
    // PATCH refuses a cancelled appointment: the 409 must not point there.
    const changed = await ana.api.post('/api/appointments', {
      ...body,
      startsAt: inSeconds(4 * 86_400).toISOString(),
    });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('state_conflict');
    expect(changed.body.error.message).toContain('new externalId');
    expect(changed.body.error.message).not.toContain('PATCH');
    expect(changed.body.error.details).toMatchObject({ status: 'cancelled', fields: ['startsAt'] });
  });

  it('answers a repeat that left the zone to the advisor the same after the advisor changed it', async () => {
    const { timezone: _tz, ...body } = booking();
    const first = await ana.api.post('/api/appointments', body);
    expect(first.body.appointment.timezone).toBe('Europe/Madrid');
    await setSettings(ana, { timezone: 'America/Mexico_City' });
    try {
      const again = await ana.api.post('/api/appointments', body);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.appointment.timezone).toBe('Europe/Madrid');
      // A zone the repeat names is compared as before.
      const named = await ana.api.post('/api/appointments', { ...body, timezone: 'America/Mexico_City' });
      expect(named.status).toBe(409);
      expect(named.body.error.details.fields).toEqual(['timezone']);
    } finally {
      await setSettings(ana, { timezone: 'Europe/Madrid' });
    }
  });

  it('answers a repeat with a national number the same after the advisor changed their country', async () => {
    const body = booking();
    const national = { ...body, clientPhone: body.clientPhone.replace(/^\+34/, '') };
    const first = await ana.api.post('/api/appointments', national);
    expect(first.status).toBe(201);
    expect(first.body.appointment.clientPhone).toBe(body.clientPhone);
    // Nine digits read in the United States are no number at all: the repeat must not be read so.
    await setSettings(ana, { defaultCountry: 'US' });
    try {
      const again = await ana.api.post('/api/appointments', national);
      expect([again.status, again.body.error?.code]).toEqual([201, undefined]);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.appointment.id).toBe(first.body.appointment.id);
      // Other data is still refused as a change, not as the number.
      const moved = await ana.api.post('/api/appointments', {
        ...national,
        startsAt: inSeconds(86_400).toISOString(),
      });
      expect(moved.status).toBe(409);
      expect(moved.body.error.details.fields).toEqual(['startsAt']);
    } finally {
      await setSettings(ana, { defaultCountry: 'ES' });
    }
  });

  it('books once under concurrent duplicate calls, with one confirmation on the phone', async () => {
    const body = booking();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ana.api.post('/api/appointments', body)),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    // Exactly one call created it; the other five were replays.
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    const ids = new Set(results.map((r) => r.body.appointment.id));
    expect(ids.size).toBe(1);
    const [row] = await service.database.db
      .select({ n: count() })
      .from(appointment)
      .where(eq(appointment.externalId, body.externalId));
    expect(row!.n).toBe(1);
    const confirmation = onlyOne(results[0]!.body.messages, 'confirmation');
    await waitForStatus(ana, confirmation.id, ['sent', 'delivered', 'read']);
    await new Promise((r) => setTimeout(r, 300));
    expect(await textsTo(ana, body.clientPhone)).toHaveLength(1);
  });

  it('uses the advisor timezone when none is given', async () => {
    await setSettings(ana, { timezone: 'America/Mexico_City' });
    try {
      const { timezone: _tz, ...body } = booking();
      const res = await ana.api.post('/api/appointments', body);
      expect(res.body.appointment.timezone).toBe('America/Mexico_City');
    } finally {
      await setSettings(ana, { timezone: 'Europe/Madrid' });
    }
  });

  it('validates the phone, zone, times and body before storing anything', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ clientPhone: '12' }, 422, 'invalid_phone'],
      [{ timezone: 'Mars/Olympus' }, 422, 'validation_failed'],
      [
        { endsAt: inSeconds(86_400).toISOString(), startsAt: inSeconds(2 * 86_400).toISOString() },
        422,
        'validation_failed',
      ],
      [
        { startsAt: inSeconds(86_400).toISOString(), endsAt: inSeconds(33 * 86_400).toISOString() },
        422,
        'validation_failed',
      ],
      [{ startsAt: '2030-01-01T10:00:00' }, 400, 'invalid_request'],
      [{ startsAt: inSeconds(400 * 86_400).toISOString() }, 422, 'validation_failed'],
      [{ clientName: '' }, 400, 'invalid_request'],
      [{ surprise: true }, 400, 'invalid_request'],
    ];
    for (const [over, status, code] of cases) {
      const body = booking(over);
      const res = await ana.api.post('/api/appointments', body);
      expect([res.status, res.body.error?.code], JSON.stringify(over)).toEqual([status, code]);
      const [row] = await service.database.db
        .select({ n: count() })
        .from(appointment)
        .where(eq(appointment.externalId, body.externalId));
      expect(row!.n).toBe(0);
    }
    const phone = await ana.api.post('/api/appointments', booking({ clientPhone: '12' }));
    expect(phone.body.error.details.field).toBe('clientPhone');
    // A local time with no offset says what is missing, not only that the value is not ISO.
    const naive = await ana.api.post('/api/appointments', booking({ startsAt: '2030-01-01T10:00:00' }));
    expect(naive.body.error.details.fields).toEqual([
      { field: 'startsAt', message: INSTANT_NO_OFFSET_MESSAGE },
    ]);
    expect(naive.body.error.message).toContain('startsAt: has no time zone offset');
  });

  it('refuses appointment times before the year 1000 instead of storing another date', async () => {
    // The database keeps year 26 but reads it back as 2026 (a year below 100 is read as 19xx or
    // 20xx): the answer, the messages and the send-time checks said 2026, while the agenda, which
    // filters in SQL, saw year 26.
    const body = booking({ startsAt: '0026-12-01T10:00:00Z' });
    const res = await ana.api.post('/api/appointments', body);
    expect([res.status, res.body.error?.code]).toEqual([400, 'invalid_request']);
    expect(res.body.error.details.fields[0].field).toBe('startsAt');
    const [row] = await service.database.db
      .select({ n: count() })
      .from(appointment)
      .where(eq(appointment.externalId, body.externalId));
    expect(row!.n).toBe(0);

    const booked = booking();
    expect((await ana.api.post('/api/appointments', booked)).status).toBe(201);
    const path = `/api/appointments/${encodeURIComponent(booked.externalId)}`;
    for (const change of [{ startsAt: '0999-12-31T10:00:00Z' }, { endsAt: '0050-01-01T10:00:00Z' }]) {
      const moved = await ana.api.patch(path, change);
      expect([moved.status, moved.body.error?.code], JSON.stringify(change)).toEqual([
        400,
        'invalid_request',
      ]);
    }
    expect((await ana.api.get(path)).body.appointment).toMatchObject({
      startsAt: booked.startsAt,
      version: 1,
    });
  });

  // Except cancel and reschedule, which take back or move what was already scheduled
  // (reminders-off-changes.test.ts).
  it('is refused with 403 on every route that books, reads or sends when the reminders feature is off', async () => {
    const body = booking();
    await ana.api.post('/api/appointments', body);
    await setFeature(service, ana.userId, 'reminders', false);
    try {
      const path = `/api/appointments/${body.externalId}`;
      const calls = [
        ana.api.post('/api/appointments', booking()),
        ana.api.get('/api/appointments'),
        ana.api.get(path),
        ana.api.post(`${path}/send`, { kind: 'reminder' }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('feature_disabled');
      }
    } finally {
      await setFeature(service, ana.userId, 'reminders', true);
    }
  });

  it('lists upcoming appointments by start time, page by page', async () => {
    const soon = booking({ startsAt: inSeconds(10 * 86_400).toISOString() });
    const later = booking({ startsAt: inSeconds(11 * 86_400).toISOString() });
    const latest = booking({ startsAt: inSeconds(12 * 86_400).toISOString() });
    for (const b of [latest, soon, later]) await ana.api.post('/api/appointments', b);
    const from = encodeURIComponent(inSeconds(9 * 86_400).toISOString());
    const first = await ana.client.get(`/api/appointments?from=${from}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((a: any) => a.externalId)).toEqual([soon.externalId, later.externalId]);
    const second = await ana.client.get(
      `/api/appointments?from=${from}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((a: any) => a.externalId)).toEqual([latest.externalId]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses a range that runs backwards (or holds nothing) with 422 naming `from`, as metrics does', async () => {
    const at = (days: number) => encodeURIComponent(inSeconds(days * 86_400).toISOString());
    // Read once: two readings of "in 10 days" a millisecond apart make a forward range.
    const tenDays = at(10);
    for (const [from, to] of [
      [at(20), tenDays],
      [tenDays, tenDays],
    ]) {
      const res = await ana.client.get(`/api/appointments?from=${from}&to=${to}`);
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({
        code: 'validation_failed',
        details: { fields: [{ field: 'from', message: expect.any(String) }] },
      });
    }
    // Either end alone, or a forward range, is as before.
    expect((await ana.client.get(`/api/appointments?from=${at(10)}&to=${at(11)}`)).status).toBe(200);
    expect((await ana.client.get(`/api/appointments?to=${at(11)}`)).status).toBe(200);
  });

  it('lists each appointment with its messages and the client reply that answered one', async () => {
    const body = booking({ startsAt: inSeconds(30 * 86_400).toISOString() });
    const res = await ana.api.post('/api/appointments', body);
    await waitForStatus(ana, onlyOne(res.body.messages, 'confirmation').id, ['sent', 'delivered', 'read']);
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from: body.clientPhone,
      text: 'Allí estaré',
    });
    const range = (days: number) => encodeURIComponent(inSeconds(days * 86_400).toISOString());
    const listed = await waitFor(
      async () => (await ana.client.get(`/api/appointments?from=${range(29)}&to=${range(31)}`)).body.items[0],
      (a) => a?.messages.some((m: any) => m.direction === 'inbound'),
      { what: 'the reply listed with its appointment' },
    );
    expect(listed.externalId).toBe(body.externalId);
    const outbound = listed.messages.filter((m: any) => m.direction === 'outbound');
    expect(outbound.map((m: any) => m.purpose).sort()).toEqual(['confirmation', 'follow_up', 'reminder']);
    const replies = listed.messages.filter((m: any) => m.direction === 'inbound');
    expect(replies.map((m: any) => [m.phone, m.text])).toEqual([[body.clientPhone, 'Allí estaré']]);
  });

  it('keeps the reminder job in Redis until it is due', async () => {
    const res = await ana.api.post('/api/appointments', booking());
    const reminder = onlyOne(res.body.messages, 'reminder');
    expect(await jobExists(service, reminder.id)).toBe(true);
  });
});

describe('an override saved before {mensaje_personalizado} was refused in it', () => {
  it('confirms with the built-in instead of failing, and a manual send still names the missing variable', async () => {
    const lucia = await bookingAdvisor(service, 'Lucía Vega');
    // Written straight to the table: the API has refused such a save since d2aa2b5.
    const body = 'Hola {nombre_cliente}, cita el {fecha_cita}.\n\n{mensaje_personalizado}';
    await service.database.db.insert(whatsappTemplate).values({
      advisorId: lucia.userId,
      key: 'appointment_confirmation',
      name: 'Mi confirmación',
      category: 'confirmation',
      language: 'es',
      body,
      variables: ['nombre_cliente', 'fecha_cita', 'mensaje_personalizado'],
      overridesBuiltIn: true,
    });

    const res = await lucia.api.post('/api/appointments', booking());
    expect(res.status).toBe(201);
    const confirmation = onlyOne(res.body.messages, 'confirmation');
    const sent = await waitForStatus(lucia, confirmation.id, ['sent', 'delivered', 'read']);
    expect(sent.templateKey).toBe('appointment_confirmation');
    const [text] = await textsTo(lucia, res.body.appointment.clientPhone);
    expect(text).toContain('Soy Lucía Vega y tu cita está confirmada');
    expect(text).not.toContain('{mensaje_personalizado}');

    const manual = await lucia.client.post('/api/whatsapp/send', {
      to: res.body.appointment.clientPhone,
      template: { key: 'appointment_confirmation' },
      variables: { nombre_cliente: 'Marta', fecha_cita: 'lunes' },
    });
    expect(manual.status).toBe(422);
    expect(manual.body.error).toMatchObject({
      code: 'missing_variable',
      details: { missing: ['mensaje_personalizado'] },
    });
  });
});

describe('an advisor whose locale is pt-BR', () => {
  // Written out here rather than asked of Luxon, so the test does not check the code with itself.
  const MONTHS = [
    'janeiro',
    'fevereiro',
    'março',
    'abril',
    'maio',
    'junho',
    'julho',
    'agosto',
    'setembro',
    'outubro',
    'novembro',
    'dezembro',
  ];

  it('confirms, reminds and follows up in Portuguese, with the date and 24-hour time of the locale', async () => {
    const bia = await bookingAdvisor(service, 'Beatriz Souza', {
      locale: 'pt-BR',
      timezone: 'America/Sao_Paulo',
    });
    let day = DateTime.now().setZone('America/Sao_Paulo').plus({ days: 3 }).startOf('day');
    while (day.weekday !== 5) day = day.plus({ days: 1 });
    const startsAt = day.set({ hour: 14 });
    const body = booking({ startsAt: startsAt.toISO(), timezone: 'America/Sao_Paulo' });
    const res = await bia.api.post('/api/appointments', body);
    expect(res.status).toBe(201);

    const confirmation = onlyOne(res.body.messages, 'confirmation');
    await waitForStatus(bia, confirmation.id, ['sent', 'delivered', 'read']);
    expect(await textsTo(bia, body.clientPhone)).toEqual([
      [
        'Olá, Marta. Aqui é Beatriz Souza e sua consulta está confirmada:',
        '',
        `📅 sexta-feira, ${day.day} de ${MONTHS[day.month - 1]} de ${day.year}`,
        '🕐 14:00',
        '',
        'Se precisar remarcar, é só me escrever por aqui. Até breve!',
      ].join('\n'),
    ]);

    // Booked without an address or a message of the advisor's: the stand-ins are Portuguese too.
    const reminder = onlyOne(res.body.messages, 'reminder');
    expect(reminder.text).toContain('📍 On-line');
    expect(reminder.text).toContain('Responda 1 para confirmar sua presença.');
    expect(reminder.text).toContain('responda SAIR');
    const followUp = onlyOne(res.body.messages, 'follow_up');
    expect(followUp.text).toContain('Como você tem se sentido desde a nossa sessão?');
  });
});

describe('an advisor whose locale has no templates of its own', () => {
  it('writes the date in the language of the message, not of the locale', async () => {
    // ca-ES is offered by the dashboard's settings; Catalan has no built-ins, so the messages are
    // Spanish, and the date inside them must be too (it used to read "dimarts, … de desembre").
    const nuria = await bookingAdvisor(service, 'Núria Puig', { locale: 'ca-ES', timezone: 'Europe/Madrid' });
    const startsAt = DateTime.now().setZone('Europe/Madrid').plus({ days: 3 }).set({ hour: 10, minute: 0 });
    const body = booking({ startsAt: startsAt.toISO(), timezone: 'Europe/Madrid' });
    const res = await nuria.api.post('/api/appointments', body);
    expect(res.status).toBe(201);

    const spanishDate = startsAt.setLocale('es-ES').toLocaleString(DateTime.DATE_HUGE);
    const catalanDate = startsAt.setLocale('ca-ES').toLocaleString(DateTime.DATE_HUGE);
    expect(spanishDate).not.toBe(catalanDate);
    for (const purpose of ['confirmation', 'reminder']) {
      const text = onlyOne(res.body.messages, purpose).text;
      expect(text).toContain(`📅 ${spanishDate}\n🕐 10:00`);
      expect(text).not.toContain(catalanDate);
    }
  });
});

// A BCP-47 tag may carry Unicode extensions: "-u-ca-islamic-nu-arab" asks Intl (and Luxon) for
// another calendar and other digits, so {fecha_cita} would read "Jumada II ٢٢, ١٤٤٨ AH".
describe('an advisor whose locale carries Unicode extensions', () => {
  const tag = 'en-US-u-ca-islamic-nu-arab';

  it('is refused when saved, naming the rule, and nothing changes', async () => {
    const eva = await bookingAdvisor(service, 'Eva Extension', { locale: 'en-GB' });
    for (const locale of [tag, 'es-ES-u-nu-arab', 'en-x-private']) {
      const res = await eva.client.put('/api/whatsapp/config', { settings: { locale } });
      expect(res.status, locale).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.fields).toEqual([
        { field: 'settings.locale', message: expect.stringContaining('without extensions') },
      ]);
    }
    expect((await eva.client.get('/api/whatsapp/config')).body.settings.locale).toBe('en-GB');
    // A variant is part of the language, not an extension: still taken.
    const valencian = await eva.client.put('/api/whatsapp/config', {
      settings: { locale: 'ca-ES-valencia' },
    });
    expect(valencian.status).toBe(200);
    expect(valencian.body.settings.locale).toBe('ca-ES-valencia');
  });

  it('stored before the rule, reads without them: the reminder keeps Gregorian dates and Latin digits', async () => {
    const omar = await bookingAdvisor(service, 'Omar Stored');
    await service.database.db
      .update(whatsappConfig)
      .set({ settings: { locale: tag, timezone: 'Europe/Madrid', quietHours: null } })
      .where(eq(whatsappConfig.advisorId, omar.userId));
    expect((await omar.client.get('/api/whatsapp/config')).body.settings.locale).toBe('en-US');

    const startsAt = DateTime.fromObject(
      { year: DateTime.now().year + 1, month: 3, day: 12, hour: 10 },
      { zone: 'Europe/Madrid' },
    );
    const res = await omar.api.post('/api/appointments', booking({ startsAt: startsAt.toISO() }));
    expect(res.status).toBe(201);
    const reminder = onlyOne(res.body.messages, 'reminder').text as string;
    expect(reminder).toContain(`${startsAt.weekdayLong!}, March 12, ${startsAt.year}`);
    expect(reminder).toContain('10:00 AM');
    expect(reminder).not.toMatch(/[\u0660-\u0669]|AH\b/);
  });
});
