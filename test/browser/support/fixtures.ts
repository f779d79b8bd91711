// API answers shaped exactly as shared/API.md describes them, for screens whose endpoints have not
// landed yet (appointments list, metrics, public CTA) and for states hard to reach on demand
// (a phone that logged out, a failed message). Served to the page with page.route.
import type { Page, Route } from 'playwright-core';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let seq = 0;
export function message(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    direction: 'outbound',
    phone: '+34612345678',
    clientName: 'Lucía Pérez',
    type: 'text',
    text: 'Hola, Lucía. Soy Marta y tu cita está confirmada.',
    caption: null,
    mediaUrl: null,
    mimetype: null,
    fileName: null,
    templateKey: null,
    appointmentId: null,
    purpose: 'manual',
    status: 'sent',
    error: null,
    attempts: 1,
    evolutionMessageId: '3EB0C0FFEE',
    source: 'dashboard',
    createdAt: new Date(now - HOUR).toISOString(),
    scheduledAt: null,
    sentAt: new Date(now - HOUR).toISOString(),
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    ...over,
  };
}

const iso = (offsetMs: number, hour?: number) => {
  const d = new Date(Date.now() + offsetMs);
  if (hour !== undefined) d.setHours(hour, hour === 17 ? 0 : 30, 0, 0);
  return d.toISOString();
};

export function appointments(): Record<string, unknown> {
  const read = message({
    templateKey: 'appointment_confirmation',
    status: 'read',
    sentAt: iso(-2 * DAY),
    deliveredAt: iso(-2 * DAY + 4_000),
    readAt: iso(-2 * DAY + 600_000),
    createdAt: iso(-2 * DAY),
  });
  return {
    items: [
      {
        externalId: 'bk-1001',
        clientName: 'Lucía Pérez',
        clientPhone: '+34612345678',
        startsAt: iso(DAY, 10),
        endsAt: iso(DAY + HOUR, 10),
        address: 'Calle Mayor 12, Madrid',
        status: 'scheduled',
        messages: [
          read,
          message({
            direction: 'inbound',
            status: 'received',
            text: '¡Perfecto, allí estaré!',
            createdAt: iso(-2 * DAY + 900_000),
            sentAt: null,
          }),
          message({
            templateKey: 'appointment_reminder',
            status: 'scheduled',
            scheduledAt: iso(0, 10),
            sentAt: null,
            createdAt: iso(-2 * DAY),
          }),
          message({
            templateKey: 'follow_up',
            status: 'scheduled',
            scheduledAt: iso(DAY + 3 * HOUR, 10),
            sentAt: null,
            createdAt: iso(-2 * DAY),
          }),
        ],
      },
      {
        externalId: 'bk-1002',
        clientName: 'Jorge Martín',
        clientPhone: '+34622333444',
        startsAt: iso(2 * DAY, 17),
        endsAt: null,
        address: null,
        status: 'scheduled',
        messages: [
          message({
            phone: '+34622333444',
            clientName: 'Jorge Martín',
            templateKey: 'appointment_confirmation',
            status: 'failed',
            sentAt: null,
            failedAt: iso(-DAY),
            error: { code: 'not_on_whatsapp', message: 'The number is not on WhatsApp' },
          }),
          message({
            phone: '+34622333444',
            clientName: 'Jorge Martín',
            templateKey: 'appointment_reminder',
            status: 'skipped',
            sentAt: null,
            skippedReason: 'El cliente pidió no recibir mensajes (BAJA).',
          }),
        ],
      },
      {
        externalId: 'bk-1003',
        clientName: 'Carmen Ruiz',
        clientPhone: '+34633444555',
        startsAt: iso(5 * DAY, 10),
        endsAt: iso(5 * DAY + HOUR, 10),
        address: 'Online (videollamada)',
        status: 'scheduled',
        messages: [
          message({
            phone: '+34633444555',
            clientName: 'Carmen Ruiz',
            templateKey: 'appointment_confirmation',
            status: 'delivered',
            deliveredAt: iso(-3 * HOUR),
          }),
          message({
            phone: '+34633444555',
            clientName: 'Carmen Ruiz',
            templateKey: 'appointment_reminder',
            status: 'scheduled',
            sentAt: null,
            scheduledAt: iso(4 * DAY, 10),
          }),
        ],
      },
    ],
    nextCursor: null,
  };
}

export function metrics(): Record<string, unknown> {
  const days = Array.from({ length: 30 }, (_, i) => {
    const d = new Date(Date.now() - (29 - i) * DAY);
    const weekday = d.getDay();
    const base = weekday === 0 || weekday === 6 ? 2 : 9 + ((i * 7) % 6);
    const failed = i % 9 === 4 ? 1 : 0;
    const delivered = base - failed;
    return {
      day: d.toISOString().slice(0, 10),
      sent: base,
      delivered,
      read: Math.max(0, delivered - 1 - (i % 3)),
      failed,
      inbound: Math.round(base * 0.6) + (i % 2),
    };
  });
  return {
    connectionRate: 1,
    deliveryRate: 0.962,
    readRate: 0.741,
    templateUsage: [
      { key: 'appointment_reminder', count: 118, customized: true },
      { key: 'appointment_confirmation', count: 96, customized: false },
      { key: 'follow_up', count: 41, customized: false },
      { key: 'bono_bienvenida', count: 12, customized: false },
    ],
    responseTime: { delivery: { median: 4, p90: 38 }, reply: { median: 1_380, p90: 15_600 } },
    featureAdoption: 1,
    messagesPerDay: days,
    connectionHistory: [
      { status: 'connected', at: new Date(Date.now() - 40 * DAY).toISOString() },
      { status: 'disconnected', at: new Date(Date.now() - 12 * DAY).toISOString() },
      { status: 'qr_pending', at: new Date(Date.now() - 11.9 * DAY).toISOString() },
      { status: 'connected', at: new Date(Date.now() - 11.5 * DAY).toISOString() },
    ],
  };
}

export function messagesPage(): Record<string, unknown> {
  return {
    items: [
      message({
        status: 'queued',
        sentAt: null,
        createdAt: iso(-60_000),
        text: 'Te envío el plan de comidas de esta semana 🌿',
        clientName: 'Carmen Ruiz',
        phone: '+34633444555',
      }),
      message({
        direction: 'inbound',
        status: 'received',
        text: '¿Podemos pasar la cita al jueves?',
        source: 'phone',
        createdAt: iso(-20 * 60_000),
        sentAt: null,
      }),
      message({
        templateKey: 'appointment_reminder',
        source: 'automation',
        status: 'read',
        deliveredAt: iso(-HOUR + 3_000),
        readAt: iso(-HOUR + 120_000),
        text: 'Hola, Lucía. Te recuerdo tu próxima cita: mañana a las 10:30.',
      }),
      message({
        status: 'delivered',
        deliveredAt: iso(-2 * HOUR),
        createdAt: iso(-2 * HOUR),
        text: '¡Gracias por venir hoy! Aquí tienes el resumen.',
        phone: '+34644555666',
        clientName: 'Pablo Gómez',
        source: 'api',
      }),
      message({
        status: 'failed',
        sentAt: null,
        failedAt: iso(-3 * HOUR),
        createdAt: iso(-3 * HOUR),
        error: { code: 'not_on_whatsapp', message: 'The number is not on WhatsApp' },
        phone: '+34622333444',
        clientName: 'Jorge Martín',
        templateKey: 'appointment_confirmation',
        text: 'Hola, Jorge. Tu cita está confirmada.',
      }),
      message({
        status: 'scheduled',
        sentAt: null,
        scheduledAt: iso(DAY),
        text: 'Recuerda traer tu diario de comidas.',
        phone: '+34655666777',
        clientName: null,
      }),
    ],
    nextCursor: null,
  };
}

export const publicCta = {
  url: 'https://wa.me/34612345678?text=Hola%2C%20me%20gustar%C3%ADa%20reservar%20una%20cita',
  phone: '+34612345678',
  message: 'Hola, me gustaría reservar una cita',
  name: 'Marta Sánchez',
};

export function json(route: Route, body: unknown, status = 200): Promise<void> {
  return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
}

/** Serves a fixed SSE stream: these events once, then a long pause before any reconnection. */
export async function fixedEvents(page: Page, events: { event: string; data: unknown }[]): Promise<void> {
  await page.route('**/api/whatsapp/events', (route) =>
    route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
      body: `retry: 3600000\n\n${events.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('')}`,
    }),
  );
}
