// Tenant isolation by the ways the route sweep (tenant-isolation-sweep.test.ts) does not try: A's
// ids in query filters and cursors, the same Idempotency-Key on every route that takes one, and
// B's live-event stream while A's messages, appointment and client come and go. Each advisor
// only ever gets their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { openSse, type SseStream } from '../support/sse.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
let beaStream: SseStream;
const PHONE = '+34620000077';
const P = encodeURIComponent(PHONE);
const ANA_TEXT = 'Solo para Ana 3k9d';

beforeAll(async () => {
  service = await startTestService();
  [ana, bea] = await Promise.all([connectedAdvisor(service, 'Ana'), connectedAdvisor(service, 'Bea')]);
  beaStream = await openSse(`${service.url}/api/whatsapp/events`, bea.client.cookieHeader());
  await beaStream.next((e) => e.event === 'status');
}, 60_000);
afterAll(async () => {
  beaStream?.close();
  await service?.close();
});

const booking = (externalId: string, days: number) => ({
  externalId,
  clientName: 'Cliente Compartido',
  clientPhone: PHONE,
  startsAt: new Date(Date.now() + days * 86_400_000).toISOString(),
});

describe("advisor B with advisor A's identifiers", () => {
  it('filters and cursors built from A’s rows find nothing of A’s', async () => {
    const sent = await ana.client.post('/api/whatsapp/send', { to: PHONE, text: ANA_TEXT });
    const booked = await ana.client.post('/api/appointments', booking('vec-a-only', 3));
    expect([sent.status, booked.status]).toEqual([202, 201]);
    const byAppointment = await bea.client.get(
      `/api/whatsapp/messages?appointmentId=${booked.body.appointment.id}`,
    );
    expect([byAppointment.status, byAppointment.body.items]).toEqual([200, []]);
    // A cursor naming A's message (and a point in the future): B's own pages, none of A's.
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const cursor = Buffer.from(`${later}|${sent.body.message.id}`).toString('base64url');
    for (const path of [
      `/api/whatsapp/messages?cursor=${cursor}`,
      `/api/appointments?cursor=${cursor}`,
      `/api/whatsapp/conversations/${P}/messages?cursor=${cursor}`,
      `/api/whatsapp/conversations?cursor=${Buffer.from(`${later}|${PHONE}`).toString('base64url')}`,
    ]) {
      const res = await bea.client.get(path);
      expect(res.status === 200 || res.status === 404, `${path}: ${res.status}`).toBe(true);
      expect(JSON.stringify(res.body)).not.toContain(ANA_TEXT);
      expect(JSON.stringify(res.body)).not.toContain(sent.body.message.id);
      expect(JSON.stringify(res.body)).not.toContain(booked.body.appointment.id);
    }
  });

  it('the same Idempotency-Key on every route that takes one gives each advisor their own message', async () => {
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from: PHONE,
      text: 'hola Ana',
    });
    await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/inbound`, {
      from: PHONE,
      text: 'hola Bea',
    });
    for (const advisor of [ana, bea]) {
      await waitFor(
        async () => (await advisor.client.get('/api/whatsapp/conversations')).body.items,
        (items: any[]) => items.some((c) => c.phone === PHONE),
      );
    }
    const [a, b] = [ana, bea].map((x, i) => booking('vec-shared', 4 + i));
    expect((await ana.client.post('/api/appointments', a)).status).toBe(201);
    expect((await bea.client.post('/api/appointments', b)).status).toBe(201);
    const calls: [string, unknown][] = [
      ['/api/whatsapp/send', { to: PHONE, text: 'misma clave' }],
      [`/api/whatsapp/conversations/${P}/reply`, { text: 'misma clave' }],
      ['/api/appointments/vec-shared/send', { kind: 'follow_up', message: 'misma clave' }],
    ];
    for (const [path, body] of calls) {
      const key = { 'idempotency-key': `shared-${path}` };
      const first = await ana.client.post(path, body, key);
      const other = await bea.client.post(path, body, key);
      expect([first.status, other.status], path).toEqual([202, 202]);
      expect(other.headers.get('idempotent-replayed'), path).toBeNull();
      expect(other.body.message.id, path).not.toBe(first.body.message.id);
      // Each advisor's repeat is their own message again.
      const repeat = await bea.client.post(path, body, key);
      expect([repeat.body.message.id, repeat.headers.get('idempotent-replayed')]).toEqual([
        other.body.message.id,
        'true',
      ]);
      expect((await bea.client.get(`/api/whatsapp/messages/${first.body.message.id}`)).status).toBe(404);
    }
  });

  it("B's live stream carried none of A's events", async () => {
    // Let A's sends go out and their receipts arrive, each a live event on A's channel.
    await waitFor(
      async () => (await ana.client.get('/api/whatsapp/messages?direction=outbound&limit=200')).body.items,
      (items: any[]) => items.filter((m) => m.status === 'read').length >= 3,
      { what: "A's receipts" },
    );
    const anaIds = new Set(
      (await ana.client.get('/api/whatsapp/messages?limit=200')).body.items.map((m: any) => m.id),
    );
    const anaAppointments = new Set(
      (await ana.client.get('/api/appointments')).body.items.map((x: any) => x.id),
    );
    expect(beaStream.events.length).toBeGreaterThan(3);
    for (const e of beaStream.events) {
      expect(anaIds.has(e.data.id), `${e.event} ${e.data.id}`).toBe(false);
      expect(anaAppointments.has(e.data.id), `${e.event} ${e.data.id}`).toBe(false);
      expect(JSON.stringify(e.data)).not.toContain(ANA_TEXT);
      expect(JSON.stringify(e.data)).not.toContain('hola Ana');
    }
    // And B's stream did see B's own.
    expect(beaStream.events.some((e) => e.event === 'inbound' && e.data.text === 'hola Bea')).toBe(true);
  });
});
