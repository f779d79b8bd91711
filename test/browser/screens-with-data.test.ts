// The dashboard's data screens and the public profile, driven by real data: advisors linked in
// the emulator, appointments booked through the booking API, messages sent, delivered, read,
// failed and received for real (the emulator's receipts, faults and inbound messages), a phone
// that logs out. The browser talks to the real service (database, Redis, workers), which talks
// to the emulator over HTTP: nothing of ours is mocked.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import {
  booking,
  bookingAdvisor,
  byPurpose,
  detail,
  inSeconds,
  newPhone,
  onlyOne,
  textsTo,
} from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';
import {
  clearFaults,
  clientWrites,
  pushReceipt,
  putSettings,
  sendAs,
  setFaults,
  untilStatus,
} from './support/advisor-actions.js';
import { DESKTOP, openPage, screenshot } from './support/browser.js';
import { useSessionOf } from './support/session.js';
import { serveHtml } from './support/other-site.js';
import { DEVICES, useWebAndBrowser } from './support/suite.js';

// A real server, its workers and a real browser on a busy machine: give each test room.

const suite = useWebAndBrowser();

const SENT = ['sent', 'delivered', 'read'];

/** The emulated client's phone acknowledges a message (receipts are off while a test sets them). */
async function receipts(advisor: ConnectedAdvisor, message: any, statuses: string[]): Promise<void> {
  for (const status of statuses) await pushReceipt(advisor, message, status);
}

/** The send time a message's job reserved (the worker keeps it in the job while it waits). */
async function pacedSlotOf(messageId: string): Promise<number | null> {
  const job = await suite.web.service.runtime.messages.queue.getJob(`send-${messageId}`);
  return (job?.data as { slotAt?: number } | undefined)?.slotAt ?? null;
}

const percent = (rate: number) =>
  new Intl.NumberFormat('es-ES', { style: 'percent', maximumFractionDigits: 1 }).format(rate);
const seconds = (value: number) =>
  `${new Intl.NumberFormat('es-ES', { maximumFractionDigits: 0 }).format(value)} s`;
const textOf = async (locator: Locator) => (await locator.textContent())?.trim();

/** The connection strip's coloured segments, left to right (x and width in % of the period). */
const stripOf = (page: Page) =>
  page
    .locator('.conn-strip rect[data-status]')
    .evaluateAll((rects) =>
      rects.map((r) => ({ status: r.getAttribute('data-status'), x: Number(r.getAttribute('x')) })),
    );

describe.each(DEVICES)('screens with real data on a $device', ({ device, viewport, isMobile }) => {
  it('appointments: timeline per appointment, send now and a personal follow-up', async () => {
    const marta = await bookingAdvisor(suite.web.service, 'Marta Sánchez');
    const lucia = booking({
      clientName: 'Lucía Pérez',
      startsAt: inSeconds(2 * 86_400).toISOString(),
      endsAt: inSeconds(2 * 86_400 + 3_600).toISOString(),
      address: 'Calle Mayor 12, Madrid',
    });
    const jorge = booking({ clientName: 'Jorge Martín', startsAt: inSeconds(3 * 86_400).toISOString() });
    const carmen = booking({
      clientName: 'Carmen Ruiz',
      startsAt: inSeconds(5 * 86_400).toISOString(),
      address: 'Online (videollamada)',
    });

    // Carmen wrote BAJA before being booked: every message of hers is skipped with the reason.
    await clientWrites(marta, carmen.clientPhone, 'BAJA', 'Carmen Ruiz');
    await waitFor(
      () => marta.client.get('/api/whatsapp/clients?optedOut=true'),
      (r) => r.body.items?.some((c: any) => c.phone === carmen.clientPhone),
      { what: 'Carmen opted out' },
    );
    const carmenBooked = await marta.api.post('/api/appointments', carmen);
    expect(carmenBooked.status).toBe(201);
    expect(carmenBooked.body.messages.map((m: any) => [m.status, m.error?.code])).toEqual([
      ['skipped', 'recipient_opted_out'],
      ['skipped', 'recipient_opted_out'],
      ['skipped', 'recipient_opted_out'],
    ]);

    // Jorge's number is not on WhatsApp: his confirmation fails with that reason.
    await setFaults(marta, { notOnWhatsApp: [jorge.clientPhone] });
    try {
      const jorgeBooked = await marta.api.post('/api/appointments', jorge);
      expect(jorgeBooked.status).toBe(201);
      const failed = await untilStatus(marta, onlyOne(jorgeBooked.body.messages, 'confirmation').id, [
        'failed',
      ]);
      expect(failed.error.code).toBe('not_on_whatsapp');
    } finally {
      await clearFaults(marta);
    }

    // Lucía gets her confirmation, reads it and answers.
    const luciaBooked = await marta.api.post('/api/appointments', lucia);
    expect(luciaBooked.status).toBe(201);
    await untilStatus(marta, onlyOne(luciaBooked.body.messages, 'confirmation').id, ['read']);
    await clientWrites(marta, lucia.clientPhone, '¡Perfecto, allí estaré!', 'Lucía Pérez');
    await waitFor(
      () => marta.client.get('/api/appointments'),
      (r) =>
        r.body.items
          ?.find((a: any) => a.externalId === lucia.externalId)
          ?.messages.some((m: any) => m.direction === 'inbound' && m.text === '¡Perfecto, allí estaré!'),
      { what: "Lucía's reply on her appointment" },
    );

    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, viewport, {
      isMobile,
    });
    await useSessionOf(context, marta.client);
    await page.goto('/appointments');
    const card = (name: string) => page.getByTestId('appointment').filter({ hasText: name });
    const item = (name: string, status: string, kind: string) =>
      card(name).locator(`[data-testid="timeline-item"][data-status="${status}"]`, { hasText: kind });
    await item('Lucía Pérez', 'read', 'Confirmación').waitFor();
    await card('Lucía Pérez').getByText('“¡Perfecto, allí estaré!”').waitFor();
    await item('Jorge Martín', 'failed', 'Confirmación').getByText('Ese número no tiene WhatsApp.').waitFor();
    await item('Carmen Ruiz', 'skipped', 'Recordatorio')
      .getByText('Este cliente pidió no recibir más mensajes (se dio de baja).')
      .waitFor();
    await expect(card('Carmen Ruiz').locator('[data-status="skipped"]').count()).resolves.toBe(3);
    await expect(page.getByTestId('appointment').count()).resolves.toBe(3);
    await screenshot(page, `appointments-data-${device}`);

    // Send Lucía's reminder now: the planned one is replaced by the one sent by hand.
    await item('Lucía Pérez', 'scheduled', 'Recordatorio')
      .getByRole('button', { name: 'Enviar ahora' })
      .click();
    await page.getByText('Mensaje en camino').waitFor();
    // The planned reminder did not go because the advisor sent it: it says so, not "Cancelado".
    await item('Lucía Pérez', 'cancelled', 'Recordatorio')
      .getByText('No se envió: lo enviaste tú a mano')
      .waitFor();
    await expect(card('Lucía Pérez').getByText('Cancelado', { exact: true }).count()).resolves.toBe(0);

    await card('Lucía Pérez')
      .getByRole('button', { name: 'Enviar seguimiento con mensaje personal' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Seguimiento para Lucía Pérez' });
    await dialog.getByLabel('Tu mensaje personal').fill('Qué bien te vi hoy: sigue con los paseos.');
    await screenshot(page, `appointments-follow-up-dialog-${device}`);
    await dialog.getByRole('button', { name: 'Enviar seguimiento' }).click();
    await dialog.waitFor({ state: 'detached' });

    // What really went out to Lucía: confirmation, the reminder and the follow-up with the note.
    const after = await waitFor(
      () => detail(marta, lucia.externalId),
      (d) => d.messages.filter((m: any) => m.source === 'dashboard' && SENT.includes(m.status)).length === 2,
      { what: "Lucía's reminder and follow-up sent", timeoutMs: 20_000 },
    );
    const byHand = (purpose: string) =>
      byPurpose(after.messages, purpose).find((m: any) => m.source === 'dashboard');
    const planned = (purpose: string) =>
      byPurpose(after.messages, purpose).find((m: any) => m.source === 'automation');
    for (const purpose of ['reminder', 'follow_up']) {
      expect(planned(purpose)).toMatchObject({
        status: 'cancelled',
        error: { code: 'replaced_by_manual_send' },
      });
    }
    expect(byHand('follow_up').text).toContain('Qué bien te vi hoy: sigue con los paseos.');
    expect(await textsTo(marta, lucia.clientPhone)).toEqual([
      onlyOne(luciaBooked.body.messages, 'confirmation').text,
      byHand('reminder').text,
      byHand('follow_up').text,
    ]);
    expect(await textsTo(marta, carmen.clientPhone)).toEqual([]);

    // Lucía answers the reminder with "2": the card says what that means, and her reply is listed
    // once, under the message it answers (the follow-up, the last one sent), not under each one.
    await clientWrites(marta, lucia.clientPhone, '2', 'Lucía Pérez');
    await page.reload();
    await card('Lucía Pérez')
      .getByTestId('client-response')
      .getByText('El cliente pide cancelar o cambiar la cita')
      .waitFor();
    await expect(card('Lucía Pérez').getByText('“2”').count()).resolves.toBe(1);
    await expect(card('Lucía Pérez').getByText('“¡Perfecto, allí estaré!”').count()).resolves.toBe(1);
    await screenshot(page, `appointments-client-response-${device}`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('analytics: rates, response times, charts, template usage and connection history', async () => {
    const ana = await connectedAdvisor(suite.web.service, 'Ana López');
    const phones = Array.from({ length: 5 }, () => newPhone());
    // Receipts by hand: two messages read, one delivered, one only sent, one failed.
    await setFaults(ana, { statusDelaysMs: null, notOnWhatsApp: [phones[4]!] });
    let ids: string[];
    try {
      const confirmation = (to: string, name: string) =>
        sendAs(ana, {
          to,
          clientName: name,
          template: { key: 'appointment_confirmation' },
          variables: {
            nombre_cliente: name,
            fecha_cita: 'martes 3',
            hora_cita: '10:30',
            nombre_asesor: 'Ana',
          },
        });
      const sent = [
        await confirmation(phones[0]!, 'Lucía'),
        await confirmation(phones[1]!, 'Jorge'),
        await sendAs(ana, { to: phones[2], text: 'Te envío el plan de comidas.' }),
        await sendAs(ana, { to: phones[3], text: '¿Qué tal la semana?' }),
      ];
      const failed = await sendAs(ana, { to: phones[4], text: 'Hola, Pablo.' });
      const out = await Promise.all(sent.map((m) => untilStatus(ana, m.id, ['sent'])));
      await receipts(ana, out[0], ['DELIVERY_ACK', 'READ']);
      await receipts(ana, out[1], ['DELIVERY_ACK', 'READ']);
      await receipts(ana, out[2], ['DELIVERY_ACK']);
      await untilStatus(ana, out[0].id, ['read']);
      await untilStatus(ana, out[1].id, ['read']);
      await untilStatus(ana, out[2].id, ['delivered']);
      await untilStatus(ana, failed.id, ['failed']);
      await clientWrites(ana, phones[0]!, 'Gracias, ¡allí estaré!');
      ids = [...sent, failed].map((m) => m.id);
    } finally {
      await clearFaults(ana);
    }

    // The figures the screen must show, from what those messages became.
    const finals = await Promise.all(ids.map((id) => untilStatus(ana, id, [...SENT, 'failed'])));
    const count = (statuses: string[]) => finals.filter((m) => statuses.includes(m.status)).length;
    const attempted = count([...SENT, 'failed']);
    const metrics = await waitFor(
      async () => (await ana.client.get('/api/whatsapp/metrics')).body,
      (m) => typeof m.responseTime?.outboundToReply?.median === 'number',
      { what: 'the reply time in the metrics' },
    );
    expect(metrics.deliveryRate).toBeCloseTo(count(['delivered', 'read']) / attempted, 4);
    expect(metrics.readRate).toBeCloseTo(count(['read']) / attempted, 4);

    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, viewport, {
      isMobile,
    });
    await useSessionOf(context, ana.client);
    await page.goto('/analytics');
    const rate = (label: string) => page.locator('.rate', { hasText: label }).locator('.rate-value');
    const stat = (label: string) => page.locator('.stat', { hasText: label }).locator('.stat-value');
    await rate('Entregados').waitFor();
    await expect(textOf(rate('Entregados'))).resolves.toBe(percent(count(['delivered', 'read']) / attempted));
    await expect(textOf(rate('Leídos'))).resolves.toBe(percent(count(['read']) / attempted));
    await expect(textOf(stat('Tiempo hasta la entrega'))).resolves.toBe(
      seconds(metrics.responseTime.sentToDelivered.median),
    );
    await expect(textOf(stat('Tiempo hasta la respuesta'))).resolves.toBe(
      seconds(metrics.responseTime.outboundToReply.median),
    );
    await expect(page.locator('svg[role="img"]').count()).resolves.toBe(2);
    const usage = page.locator('.usage li');
    await expect(usage.count()).resolves.toBe(1);
    await expect(textOf(usage.locator('.usage-name'))).resolves.toBe('Confirmación de cita');
    await expect(textOf(usage.locator('.usage-count'))).resolves.toBe('2');
    // The connection history holds this advisor's real linking, newest first.
    await expect(textOf(page.locator('.conn-list li').first())).resolves.toMatch(/^Conectado/);
    await screenshot(page, `analytics-data-${device}`);

    const sevenDays = page.waitForRequest((request) => {
      if (!request.url().includes('/api/whatsapp/metrics?')) return false;
      const q = new URL(request.url()).searchParams;
      return Date.parse(q.get('until')!) - Date.parse(q.get('since')!) < 10 * 86_400_000;
    });
    await page.getByRole('button', { name: '7 días' }).click();
    const request = await sevenDays;
    const query = new URL(request.url()).searchParams;
    // Today and the 6 days before it, from midnight in the advisor's zone: more than 6 days and
    // at most 7 (and the minute the end is rounded up to, and an hour for a change of clocks).
    // It used to start 7 days before today: "7 días" drew eight.
    const span = Date.parse(query.get('until')!) - Date.parse(query.get('since')!);
    expect(span).toBeGreaterThan(6 * 86_400_000);
    expect(span).toBeLessThanOrEqual(7 * 86_400_000 + 60_000 + 3_600_000);
    expect((await request.response())?.status()).toBe(200);
    await expect(page.getByRole('button', { name: '7 días' }).getAttribute('aria-pressed')).resolves.toBe(
      'true',
    );
    // Everything happened today: the last 7 days show the same figures.
    await expect(textOf(rate('Entregados'))).resolves.toBe(percent(count(['delivered', 'read']) / attempted));
    // Every day of the period has its place on the charts, the six quiet ones at zero: 7 days
    // (today and the 6 before it) of two bars each. Only today used to be drawn, as if the
    // period were one day long.
    const bars = page.locator('svg[role="img"]').first().locator('rect:has(title)');
    await waitFor(
      () => bars.count(),
      (n) => n === 14,
      { what: 'a bar pair for each of the 7 days', timeoutMs: 5_000 },
    );
    await expect(textOf(bars.last().locator('title'))).resolves.toMatch(/Recibidos: 1$/);

    // The connection strip is coloured from the period's start with the state recorded before
    // it. Ana's linking moves to 20 days ago and her phone drops 2 days ago: the last 7 days
    // begin connected. Their strip used to be grey ("unknown") up to the drop.
    const db = suite.web.service.database.db;
    await db.execute(
      sql`update connection_event set at = at - interval '20 days' where advisor_id = ${ana.userId}`,
    );
    await db.execute(sql`
      insert into connection_event (advisor_id, status, reason, at)
      values (${ana.userId}, 'disconnected', 'connection_lost', now() - interval '2 days')`);
    // 30 days: nothing was recorded before the linking, so the strip is grey up to it.
    await page.reload();
    const strip = await waitFor(
      () => stripOf(page),
      (s) => s.at(-1)?.status === 'disconnected',
      { what: 'the 30-day strip with the drop', timeoutMs: 5_000 },
    );
    // The linking, about 20 days into the 30: grey before it.
    expect(strip[0]!.x).toBeGreaterThan(20);
    const lastSevenDays = page.waitForResponse((r) => {
      if (!r.url().includes('/api/whatsapp/metrics?')) return false;
      const q = new URL(r.url()).searchParams;
      return Date.parse(q.get('until')!) - Date.parse(q.get('since')!) < 10 * 86_400_000;
    });
    await page.getByRole('button', { name: '7 días' }).click();
    await lastSevenDays;
    const week = await waitFor(
      () => stripOf(page),
      (s) => s.length === 2,
      { what: 'the 7-day strip: connected, then the drop', timeoutMs: 5_000 },
    ).catch(() => stripOf(page));
    expect(week.map((s) => s.status)).toEqual(['connected', 'disconnected']);
    expect(week[0]!.x).toBe(0);
    expect(week[1]!.x).toBeGreaterThan(50);
    // Listed newest first: the drop, then the change before the period that it began in.
    const listed = page.locator('.conn-list li');
    await expect(textOf(listed.first())).resolves.toMatch(/^Desconectado/);
    await expect(textOf(listed.last())).resolves.toMatch(/^Conectado/);
    await screenshot(page, `analytics-connection-before-period-${device}`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('messages: ticks for each status, the failure reason and a retry', async () => {
    const bea = await connectedAdvisor(suite.web.service, 'Bea Gómez');
    const to = {
      read: newPhone(),
      delivered: newPhone(),
      sent: newPhone(),
      failed: newPhone(),
      scheduled: newPhone(),
      received: newPhone(),
      queued: newPhone(),
    };
    await setFaults(bea, { statusDelaysMs: null, notOnWhatsApp: [to.failed] });
    let failed: any;
    let queued: any;
    try {
      const read = await sendAs(bea, {
        to: to.read,
        clientName: 'Lucía Pérez',
        text: 'Hola, Lucía. Te recuerdo tu próxima cita: mañana a las 10:30.',
      });
      const delivered = await sendAs(bea, {
        to: to.delivered,
        clientName: 'Pablo Gómez',
        text: '¡Gracias por venir hoy! Aquí tienes el resumen.',
      });
      failed = await sendAs(bea, {
        to: to.failed,
        clientName: 'Jorge Martín',
        text: 'Hola, Jorge. Tu cita está confirmada.',
      });
      await sendAs(bea, {
        to: to.scheduled,
        text: 'Recuerda traer tu diario de comidas.',
        scheduledAt: inSeconds(86_400).toISOString(),
      });
      await receipts(bea, await untilStatus(bea, read.id, ['sent']), ['DELIVERY_ACK', 'READ']);
      await receipts(bea, await untilStatus(bea, delivered.id, ['sent']), ['DELIVERY_ACK']);
      await untilStatus(bea, read.id, ['read']);
      await untilStatus(bea, delivered.id, ['delivered']);
      expect((await untilStatus(bea, failed.id, ['failed'])).error.code).toBe('not_on_whatsapp');
      await clientWrites(bea, to.received, '¿Podemos pasar la cita al jueves?', 'Carmen Ruiz');

      // Account-safety pacing at one message an hour: the first goes, the next waits queued.
      await putSettings(bea, { pacing: { mode: 'on', hourlyCap: 1 } });
      const sent = await sendAs(bea, {
        to: to.sent,
        clientName: 'Carmen Ruiz',
        text: 'Nos vemos el jueves.',
      });
      await untilStatus(bea, sent.id, ['sent']);
      queued = await sendAs(bea, {
        to: to.queued,
        clientName: 'Carmen Ruiz',
        text: 'Te envío el plan de comidas de esta semana 🌿',
      });
      await waitFor(
        () => pacedSlotOf(queued.id),
        (slot) => slot !== null && slot > Date.now() + 30 * 60_000,
        { what: 'the paced message holding a slot an hour away' },
      );
      expect((await bea.client.get(`/api/whatsapp/messages/${queued.id}`)).body).toMatchObject({
        status: 'queued',
        attempts: 0,
      });

      const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, viewport, {
        isMobile,
      });
      await useSessionOf(context, bea.client);
      await page.goto('/messages');
      const row = (status: string) => page.locator(`[data-testid="message-row"][data-status="${status}"]`);
      for (const status of ['queued', 'received', 'read', 'delivered', 'sent', 'failed', 'scheduled']) {
        await row(status).first().waitFor();
      }
      await expect(textOf(row('queued').locator('.cell-text'))).resolves.toBe(
        'Te envío el plan de comidas de esta semana 🌿',
      );
      await row('received').getByText('¿Podemos pasar la cita al jueves?').waitFor();
      const failedRow = page.locator(`[data-testid="message-row"][data-id="${failed.id}"]`);
      await failedRow.getByText('Ese número no tiene WhatsApp.').waitFor();
      await expect(page.getByTestId('message-row').count()).resolves.toBe(7);
      await screenshot(page, `messages-data-${device}`);

      // The number is on WhatsApp now, pacing is off again: retry from the row.
      await clearFaults(bea);
      await putSettings(bea, { pacing: { mode: 'off' } });
      await failedRow.getByRole('button', { name: 'Reintentar' }).click();
      await page
        .locator(`[data-testid="message-row"][data-id="${failed.id}"]:not([data-status="failed"])`)
        .waitFor();
      const retried = await untilStatus(bea, failed.id, SENT);
      expect(retried.error).toBeNull();
      const phoneSent = (await sentByPhone(bea)).filter((m) => `+${m.number}` === to.failed);
      expect(phoneSent.map((m) => m.text)).toEqual(['Hola, Jorge. Tu cita está confirmada.']);
      expect(pageErrors).toEqual([]);
      await context.close();
    } finally {
      await clearFaults(bea);
    }
  });

  it('whatsapp: the alert when the phone logged out', async () => {
    const clara = await connectedAdvisor(suite.web.service, 'Clara Ruiz');
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, viewport, {
      isMobile,
    });
    await useSessionOf(context, clara.client);
    await page.goto('/whatsapp');
    await page.locator('[data-testid="connection-status"] [data-status="connected"]').waitFor();
    await page.locator('.live-dot.live-open').waitFor();

    // The phone unlinks the device: WhatsApp closes the session with 401 (logged out).
    const res = await clara.emulator.post(`/_emulator/instances/${clara.instanceName}/disconnect`, {
      statusReason: 401,
    });
    expect(res.status).toBe(200);
    await page.locator('[data-alert="logged_out"]').waitFor();
    await page.getByRole('button', { name: 'Conectar WhatsApp Business' }).waitFor();
    await screenshot(page, `whatsapp-logged-out-${device}`);
    const config = (await clara.client.get('/api/whatsapp/config')).body;
    expect(config).toMatchObject({ status: 'disconnected', alert: 'logged_out' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

/** A real advisor with a linked number and their own button message; the public slug to visit. */
async function publicAdvisor(): Promise<{ slug: string; url: string; phone: string }> {
  const phone = newPhone();
  const marta = await connectedAdvisor(suite.web.service, 'Marta Sánchez', { phone });
  const message = 'Hola, Marta: me gustaría reservar una cita';
  await putSettings(marta, { ctaMessage: message });
  const { publicSlug } = (await marta.client.get('/api/whatsapp/config')).body;
  return {
    slug: publicSlug,
    phone,
    url: `https://wa.me/${phone.slice(1)}?text=${encodeURIComponent(message)}`,
  };
}

describe('public profile page with the CTA', () => {
  it.each(DEVICES)(
    "shows the button and the QR, and none of the advisor's own tools, on a $device",
    async ({ device, viewport, isMobile }) => {
      const marta = await publicAdvisor();
      const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, viewport, {
        isMobile,
      });
      const qr = page.waitForResponse((r) =>
        new URL(r.url()).pathname.endsWith(`/advisors/${marta.slug}/whatsapp/qr.svg`),
      );
      await page.goto(`/p/${marta.slug}`);
      const cta = page.getByTestId('whatsapp-cta');
      await cta.waitFor();
      // Through the counting redirect; the wa.me link it leads to is on the element too
      // (public-and-settings.test.ts follows it).
      expect(await cta.getAttribute('href')).toBe(`/api/public/advisors/${marta.slug}/whatsapp/go`);
      expect(await cta.getAttribute('data-whatsapp-url')).toBe(marta.url);
      await page.getByRole('heading', { name: 'Marta Sánchez' }).waitFor();
      const svg = await qr;
      expect(svg.status()).toBe(200);
      expect(svg.headers()['content-type']).toContain('image/svg+xml');
      await expect(
        page
          .getByRole('img', { name: 'Código QR que abre WhatsApp con este contacto' })
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      ).resolves.toBe(true);
      // The QR downloads and the website snippets are the advisor's (the WhatsApp screen has them:
      // public-and-settings.test.ts); a client visiting the page is not shown them.
      await expect(page.getByText('Poner este botón en tu web').count()).resolves.toBe(0);
      await expect(page.locator('[data-testid="embed-script"], a[download]').count()).resolves.toBe(0);
      await screenshot(page, `public-profile-${device}`);
      expect(pageErrors).toEqual([]);
      await context.close();
    },
  );

  it('embed.js renders the button on another page from the same endpoint', async () => {
    const marta = await publicAdvisor();
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, DESKTOP);
    // Another site, on its own origin: a real server (a page fulfilled by page.route would count
    // as public, and Chromium blocks public pages from loading loopback scripts). Its page asks
    // our API cross-origin, so the public endpoint must allow any origin.
    const site = await serveHtml(
      `<!doctype html><meta charset="utf-8"><h1>Clínica Sana</h1><p>Reserva tu cita:</p><script src="${suite.web.url}/embed.js" data-advisor="${marta.slug}" async></script>`,
    );
    try {
      await page.goto(site.url);
      const button = page.locator('a.ww-whatsapp-button');
      await button.waitFor();
      expect(await button.getAttribute('href')).toBe(
        `${suite.web.url}/api/public/advisors/${marta.slug}/whatsapp/go`,
      );
      expect(await button.getAttribute('data-whatsapp-url')).toBe(marta.url);
      await expect(button.textContent()).resolves.toBe('Escríbeme por WhatsApp');
      await screenshot(page, 'embed-on-other-site-desktop');
    } finally {
      await site.close();
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
