// An "open" delivered again after the number was closed: Evolution retries a delivery with the
// body of its first attempt (evolution-api.md §4.2), and webhooks are applied in any order, so the
// open of a link can be applied after that link's close. It is dated (envelope `date_time`) before
// the close, and must not bring back "connected" nor erase why the number was closed.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEvent } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  postWebhook,
  replayStoredOpen,
  storedOpenEvent,
  webhookApplied,
  webhookJwt,
} from '../support/whatsapp.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('the open of a link, delivered again after its close', () => {
  it.each([403, 401])('leaves the number disconnected with the close %s reason', async (statusReason) => {
    const ana = await connectedAdvisor(service, 'Ana Tarde');
    const db = service.database.db;
    const open = await storedOpenEvent(db, ana.userId);

    const control = `/_emulator/instances/${ana.instanceName}`;
    expect((await ana.emulator.post(`${control}/disconnect`, { statusReason })).status).toBe(200);
    const closed = await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected' && r.body.alert !== null,
      { what: 'disconnected with an alert' },
    );
    const alert = closed.body.alert as string;
    await webhookApplied(db, ana.userId, 'LOGOUT_INSTANCE');

    // Evolution's retry of the open, applied.
    await replayStoredOpen(service, ana, open);

    expect((await ana.client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'disconnected',
      alert,
    });

    // Linking again is a new link: its open counts.
    expect((await ana.client.post('/api/whatsapp/connect')).status).toBe(200);
    expect((await ana.emulator.post(`${control}/scan`, { phone: ana.phone })).status).toBe(200);
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected' && r.body.alert === null,
      { what: 'connected again' },
    );
  });

  it('a QR of before the link, delivered after its logout, shows no dead code over the alert', async () => {
    const ana = await connectedAdvisor(service, 'Ana Código');
    const db = service.database.db;
    const [qr] = await db
      .select({ payload: webhookEvent.payload })
      .from(webhookEvent)
      .where(and(eq(webhookEvent.advisorId, ana.userId), eq(webhookEvent.event, 'QRCODE_UPDATED')));
    expect(qr).toBeDefined();

    const control = `/_emulator/instances/${ana.instanceName}`;
    expect((await ana.emulator.post(`${control}/disconnect`, { statusReason: 401 })).status).toBe(200);
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected' && r.body.alert === 'logged_out',
      { what: 'logged out' },
    );
    await webhookApplied(db, ana.userId, 'LOGOUT_INSTANCE');

    const res = await postWebhook(service, JSON.stringify(qr!.payload), {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
    });
    expect(res.status).toBe(200);
    await webhookApplied(db, ana.userId, 'QRCODE_UPDATED', { atLeast: 2 });
    expect((await ana.client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'disconnected',
      alert: 'logged_out',
    });
  });
});

// An open the gateway sent after the link's own open and before its close (a silent reconnect of
// that link, or the first open of a link whose delivery failed), applied only after the close:
// dated after the stored link, so the link's date alone does not tell it is over; the close's does.
describe('an open sent before the close, delivered after it', () => {
  it('leaves the number disconnected with the close reason', async () => {
    const ana = await connectedAdvisor(service, 'Ana Reintento');
    const db = service.database.db;
    const stored = (event: string, containing: string) =>
      db
        .select({ payload: webhookEvent.payload })
        .from(webhookEvent)
        .where(and(eq(webhookEvent.advisorId, ana.userId), eq(webhookEvent.event, event)))
        .then((rows) => rows.map((r) => r.payload as Record<string, unknown>))
        .then((rows) => rows.filter((p) => JSON.stringify(p).includes(containing)));
    const [open] = await stored('CONNECTION_UPDATE', '"open"');
    expect(open).toBeDefined();

    const control = `/_emulator/instances/${ana.instanceName}`;
    expect((await ana.emulator.post(`${control}/disconnect`, { statusReason: 403 })).status).toBe(200);
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected' && r.body.alert === 'forbidden',
      { what: 'disconnected as forbidden' },
    );
    await webhookApplied(db, ana.userId, 'LOGOUT_INSTANCE');
    const [close] = await stored('CONNECTION_UPDATE', '"close"');
    expect(close).toBeDefined();

    const linkedAt = Date.parse(open!.date_time as string);
    const closedAt = Date.parse(close!.date_time as string);
    expect(closedAt - linkedAt).toBeGreaterThan(1);
    const between = new Date(Math.floor((linkedAt + closedAt) / 2)).toISOString();
    const res = await postWebhook(service, JSON.stringify({ ...open, date_time: between }), {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
    });
    expect(res.status).toBe(200);
    await webhookApplied(db, ana.userId, 'CONNECTION_UPDATE', { containing: between });

    expect((await ana.client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'disconnected',
      alert: 'forbidden',
    });

    // An open sent after the close is the gateway linking again on its own: it counts.
    const after = new Date(closedAt + 1000).toISOString();
    const again = await postWebhook(service, JSON.stringify({ ...open, date_time: after }), {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
    });
    expect(again.status).toBe(200);
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected' && r.body.alert === null,
      { what: 'connected by the later open' },
    );
  });
});
