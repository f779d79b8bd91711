// Tenant isolation, swept over every route the API documents (its OpenAPI document, so a route
// added later is swept too): advisor B calls each one with advisor A's ids, phone and names, by
// session and by API key. No answer may carry anything of A's that B did not already send, and
// A's rows must be exactly as they were. The per-feature isolation tests check the exact status
// codes; this one makes sure no route was forgotten.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apikey,
  appointment,
  whatsappClient,
  whatsappConfig,
  whatsappMessage,
  whatsappTemplate,
} from '../../src/db/schema/index.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
let beaKey: HttpClient;
const CLIENT_PHONE = '+34620000042';
/** A's data, each of which must never appear in an answer to B. */
const secrets = {
  clientName: 'Rosalía Secreta',
  messageText: 'Mensaje privado de Ana 7f3k',
  templateBody: 'Plantilla privada de Ana {nombre_cliente} 9q2w',
  inboundText: 'Respuesta privada del cliente 4h8z',
  externalId: 'ana-private-booking-1',
};
const ids = { message: '', template: '', apiKey: '', appointment: '' };

beforeAll(async () => {
  service = await startTestService();
  [ana, bea] = await Promise.all([connectedAdvisor(service, 'Ana'), connectedAdvisor(service, 'Bea')]);
  const sent = await ana.client.post('/api/whatsapp/send', {
    to: CLIENT_PHONE,
    text: secrets.messageText,
    clientName: secrets.clientName,
  });
  ids.message = sent.body.message.id;
  const template = await ana.client.post('/api/whatsapp/templates', {
    key: 'privada_ana',
    name: 'Privada',
    category: 'custom',
    language: 'es',
    body: secrets.templateBody,
  });
  if (template.status !== 201) throw new Error(`template: ${JSON.stringify(template.body)}`);
  ids.template = template.body.id;
  ids.apiKey = (await ana.client.post('/api/api-keys', { name: 'reservas de Ana' })).body.id;
  const booked = await ana.client.post('/api/appointments', {
    externalId: secrets.externalId,
    clientName: secrets.clientName,
    clientPhone: CLIENT_PHONE,
    startsAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
  });
  ids.appointment = booked.body.appointment.id;
  await new HttpClient(service.emulatorUrl).post(`/_emulator/instances/${ana.instanceName}/inbound`, {
    from: CLIENT_PHONE,
    pushName: secrets.clientName,
    text: secrets.inboundText,
  });
  await waitFor(
    async () => (await ana.client.get('/api/whatsapp/conversations')).body.items,
    (items: any[]) => items.some((c) => c.phone === CLIENT_PHONE && c.unread > 0),
  );
  // Let A's receipts settle (sent → delivered → read), so only B could change A's rows now.
  await waitFor(
    async () => (await ana.client.get('/api/whatsapp/messages?direction=outbound')).body.items,
    (items: any[]) =>
      items.length === 4 && items.every((m) => m.status === 'read' || m.status === 'scheduled'),
    { what: "A's receipts settled" },
  );
  const key = await bea.client.post('/api/api-keys', { name: 'reservas de Bea' });
  beaKey = new HttpClient(service.url, { 'x-api-key': key.body.key });
}, 60_000);
afterAll(async () => {
  await service?.close();
});

/** Every row of A's that a route could read or change. */
async function anaRows() {
  const db = service.database.db;
  const id = ana.userId;
  return JSON.stringify({
    config: await db.select().from(whatsappConfig).where(eq(whatsappConfig.advisorId, id)),
    messages: await db
      .select()
      .from(whatsappMessage)
      .where(eq(whatsappMessage.advisorId, id))
      .orderBy(whatsappMessage.id),
    templates: await db.select().from(whatsappTemplate).where(eq(whatsappTemplate.advisorId, id)),
    appointments: await db.select().from(appointment).where(eq(appointment.advisorId, id)),
    clients: await db.select().from(whatsappClient).where(eq(whatsappClient.advisorId, id)),
    keys: await db.select().from(apikey).where(eq(apikey.referenceId, id)),
  });
}

/** Fills a documented path with A's identifiers; an unknown parameter fails the test. */
function fill(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const byPath: Record<string, string> = {
      externalId: secrets.externalId,
      phone: CLIENT_PHONE,
      slug: 'x',
      event: 'messages-upsert',
      id: path.startsWith('/api/whatsapp/messages')
        ? ids.message
        : path.startsWith('/api/whatsapp/templates')
          ? ids.template
          : path.startsWith('/api/api-keys')
            ? ids.apiKey
            : path.startsWith('/api/admin/advisors')
              ? ana.userId
              : `unknown route for {id}: ${path}`,
    };
    const value = byPath[name];
    if (value === undefined || value.startsWith('unknown'))
      throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

/** Bodies that pass validation, so each handler runs rather than only its schema. */
const bodies: Record<string, unknown> = {
  '/api/whatsapp/send': { to: CLIENT_PHONE, text: 'hola' },
  '/api/whatsapp/templates/{id}': { body: 'Hola {nombre_cliente}' },
  '/api/whatsapp/templates/{id}/preview': { variables: { nombre_cliente: 'x' } },
  '/api/whatsapp/conversations/{phone}/reply': { text: 'hola' },
  '/api/whatsapp/clients/{phone}': { optedOut: true },
  '/api/appointments/{externalId}': { address: 'Calle Falsa 123' },
  '/api/appointments/{externalId}/send': { kind: 'follow_up', message: 'hola' },
  '/api/admin/advisors/{id}/features': { sending: false },
};

describe('advisor B against every documented route', () => {
  it('never sees or changes anything of advisor A', async () => {
    const doc = (service.app as unknown as { swagger(): { paths: Record<string, object> } }).swagger();
    const paths = Object.keys(doc.paths).filter(
      (p) => p.startsWith('/api/') && !p.startsWith('/api/auth') && !p.startsWith('/api/public'),
    );
    expect(paths.length).toBeGreaterThan(20);
    const before = await anaRows();
    const leaks: string[] = [];
    let calls = 0;
    for (const path of paths) {
      for (const method of Object.keys(doc.paths[path]!)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        // Deleting B's own instance or revoking B's key would only end B's session of attacks.
        if (path === '/api/whatsapp/config' && method === 'delete') continue;
        if (path.startsWith('/api/whatsapp/webhook')) continue; // instance credentials, not sessions
        for (const caller of [bea.client, beaKey]) {
          const url = fill(path);
          const withBody = ['post', 'put', 'patch'].includes(method);
          const res = await caller.request(
            method.toUpperCase(),
            url,
            withBody ? (bodies[path] ?? {}) : undefined,
          );
          calls++;
          const text = JSON.stringify(res.body);
          for (const [what, value] of Object.entries(secrets)) {
            if (what === 'externalId' && url.includes(encodeURIComponent(value))) continue;
            if (text.includes(value)) leaks.push(`${method.toUpperCase()} ${path}: ${what}`);
          }
          for (const [what, value] of Object.entries({ ...ids, instance: ana.instanceName })) {
            if (value && !url.includes(value) && text.includes(value))
              leaks.push(`${method.toUpperCase()} ${path}: ${what} id`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(40);
    expect(leaks).toEqual([]);
    expect(await anaRows()).toBe(before);
  }, 120_000);
});
