// The advisor's connect flow against the emulator over real HTTP: QR, scan, live status,
// phone-side logout, disconnect and removal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { instanceRefOf, webhookSecretOf } from '../../src/domain/instances/instance-credentials.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectionHistory, envelope, postWebhook, webhookApplied } from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

/** An advisor who has asked to connect: the QR is out, the phone has not scanned it yet. */
async function connectingAdvisor(name: string) {
  const advisor = await signUpAdvisor(service.url, name);
  const connect = await advisor.client.post('/api/whatsapp/connect');
  const config = await advisor.client.get('/api/whatsapp/config');
  return { ...advisor, connect, instanceName: config.body.instanceName as string };
}

describe('connecting WhatsApp', () => {
  it('starts not configured, with defaults and a public slug', async () => {
    const { client } = await signUpAdvisor(service.url, 'Lucía Pérez');
    const res = await client.get('/api/whatsapp/config');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'not_configured',
      instanceName: null,
      publicSlug: expect.stringMatching(/^lucia-perez/),
      sandbox: true,
      settings: { rateLimit: { max: 50, durationMs: 60000 }, reminderOffsetMinutes: 1440 },
      features: { sending: true, reminders: true, inbox: true, publicCta: true },
    });
  });

  it('returns a QR PNG, then turns connected when the phone scans', async () => {
    const { client, connect, instanceName, userId } = await connectingAdvisor('Ana');
    expect(connect.status).toBe(200);
    expect(connect.body.status).toBe('qr_pending');
    expect(connect.body.qr.image).toMatch(/^data:image\/png;base64,/);
    expect(new Date(connect.body.qr.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(instanceName).toMatch(/^adv_[a-f0-9]{20}$/);

    // The webhook was registered as "Our decisions" say.
    const instances = await emulator.get('/_emulator/instances');
    const ours = instances.body.find((i: { name: string }) => i.name === instanceName);
    expect(ours.webhook.url).toBe(`${service.url}/api/whatsapp/webhook`);
    expect(ours.webhook.byEvents).toBe(false);
    expect([...ours.webhook.events].sort()).toEqual([
      'CONNECTION_UPDATE',
      'LOGOUT_INSTANCE',
      'MESSAGES_DELETE',
      'MESSAGES_EDITED',
      'MESSAGES_UPDATE',
      'MESSAGES_UPSERT',
      'QRCODE_UPDATED',
      'SEND_MESSAGE',
    ]);
    expect(ours.webhook.base64).toBe(false);
    expect([...ours.webhook.headerNames].sort()).toEqual(['jwt_key', 'x-webhook-secret']);
    // Both headers carry the instance's own webhook secret (read back as Evolution stores it).
    const row = (await findConfig(service.database.db, userId))!;
    const ref = instanceRefOf(service.runtime.box, row)!;
    const stored = await fetch(`${service.emulatorUrl}/webhook/find/${instanceName}`, {
      headers: { apikey: ref.token },
    }).then((r) => r.json());
    const secret = webhookSecretOf(service.runtime.box, row);
    expect(secret).toBeTruthy();
    expect(stored.headers).toEqual({ jwt_key: secret, 'x-webhook-secret': secret });
    expect(stored).toMatchObject({ webhookBase64: false, webhookByEvents: false, enabled: true });

    const scan = await emulator.post(`/_emulator/instances/${instanceName}/scan`, {
      phone: '+34612345678',
      profileName: 'Ana Nutrición',
    });
    expect(scan.status).toBeLessThan(300);
    const config = await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
      { what: 'connected status' },
    );
    expect(config.body.phoneNumber).toBe('+34612345678');
    expect(config.body.profileName).toBe('Ana Nutrición');
    expect(config.body.qr).toBeNull();

    // Connecting again when connected answers "connected" and touches nothing: one gateway call,
    // the state check (the emulator counts every Evolution API request), the instance as it was.
    const before = {
      requests: (await emulator.get('/_emulator/stats')).body.requests,
      instance: (await emulator.get(`/_emulator/instances/${instanceName}`)).body,
      row: await findConfig(service.database.db, userId),
    };
    const again = await client.post('/api/whatsapp/connect');
    expect(again.body).toEqual({ status: 'connected' });
    expect((await emulator.get('/_emulator/stats')).body.requests).toBe(before.requests + 1);
    expect((await emulator.get(`/_emulator/instances/${instanceName}`)).body).toEqual(before.instance);
    expect(await findConfig(service.database.db, userId)).toEqual(before.row);
  });

  it("keeps a QR's countdown while the gateway still shows that code: Connect again, or its webhook re-sent", async () => {
    const { client, connect, instanceName, userId } = await connectingAdvisor('Noa');
    expect(connect.body.status).toBe('qr_pending');
    const db = service.database.db;
    // The gateway's own qrcode.updated for this code comes by webhook: let it be applied first.
    await webhookApplied(db, userId, 'QRCODE_UPDATED');
    const stored = (await findConfig(db, userId))!;
    expect(stored.qrCode).toBe(connect.body.qr.image);
    const expiresAt = stored.qrExpiresAt!.toISOString();

    // Pressed again a second later: the gateway answers with the same code, same countdown.
    await new Promise((r) => setTimeout(r, 1_100));
    const again = await client.post('/api/whatsapp/connect');
    expect(again.body.status).toBe('qr_pending');
    expect(again.body.qr.image).toBe(connect.body.qr.image);
    expect(again.body.qr.expiresAt).toBe(expiresAt);

    // The gateway re-sends qrcode.updated for the code it is showing: the countdown stays too.
    const secret = webhookSecretOf(service.runtime.box, stored)!;
    const resent = JSON.stringify(
      envelope(instanceName, 'qrcode.updated', {
        qrcode: { instance: instanceName, pairingCode: null, code: 'same-code', base64: stored.qrCode },
      }),
    );
    expect((await postWebhook(service, resent, { 'x-webhook-secret': secret })).status).toBe(200);
    await webhookApplied(db, userId, 'QRCODE_UPDATED', { atLeast: 2 });
    expect((await findConfig(db, userId))!.qrExpiresAt!.toISOString()).toBe(expiresAt);

    // A new code does get a new countdown.
    const rotated = JSON.stringify(
      envelope(instanceName, 'qrcode.updated', {
        qrcode: { instance: instanceName, pairingCode: null, code: 'another-code', base64: null },
      }),
    );
    expect((await postWebhook(service, rotated, { 'x-webhook-secret': secret })).status).toBe(200);
    await webhookApplied(db, userId, 'QRCODE_UPDATED', { atLeast: 3 });
    const after = (await findConfig(db, userId))!;
    expect(after.qrCode).not.toBe(stored.qrCode);
    expect(after.qrExpiresAt!.getTime()).toBeGreaterThan(stored.qrExpiresAt!.getTime());
  });

  it('connects on a bare POST, with no body and no Content-Type (the body is optional)', async () => {
    const { client } = await signUpAdvisor(service.url, 'Bare');
    const res = await client.request('POST', '/api/whatsapp/connect');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('qr_pending');
  });

  it('refuses a pairing number that cannot be a phone number with 400, creating nothing', async () => {
    const { client } = await signUpAdvisor(service.url, 'Pairing');
    // A national number (leading 0) used to reach the gateway client and come back as 503
    // gateway_unavailable: "try again" for a number that never works.
    for (const phoneNumber of ['0612345678', '+0612345678', '1234567890123456']) {
      const res = await client.post('/api/whatsapp/connect', { phoneNumber });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(JSON.stringify(res.body.error.details)).toContain('phoneNumber');
    }
    expect((await client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'not_configured',
      instanceName: null,
    });
    const ok = await client.post('/api/whatsapp/connect', { phoneNumber: '34612345678' });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('qr_pending');
  });

  it('creates exactly one instance for ten concurrent connects', async () => {
    const { client } = await signUpAdvisor(service.url, 'Concurrent');
    const results = await Promise.all(Array.from({ length: 10 }, () => client.post('/api/whatsapp/connect')));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const { instanceName } = (await client.get('/api/whatsapp/config')).body;
    const instances = await emulator.get('/_emulator/instances');
    expect(instances.body.filter((i: { name: string }) => i.name === instanceName)).toHaveLength(1);
    expect(instances.body.filter((i: { name: string }) => i.name.startsWith('adv_')).length).toBe(
      new Set(instances.body.map((i: { name: string }) => i.name)).size,
    );
  });

  it('marks the advisor disconnected with an alert when the phone logs out, and reconnects', async () => {
    const { client, instanceName } = await connectingAdvisor('Logout');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    await emulator.post(`/_emulator/instances/${instanceName}/disconnect`, { statusReason: 401 });
    const after = await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected',
    );
    expect(after.body.alert).toBe('logged_out');

    const reconnect = await client.post('/api/whatsapp/connect');
    expect(reconnect.body.status).toBe('qr_pending');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    const back = await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    expect(back.body.alert).toBeNull();
  });

  it('keeps a silent reconnect (408) from flapping the status', async () => {
    const { client, instanceName } = await connectingAdvisor('Flaky');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    await emulator.post(`/_emulator/instances/${instanceName}/disconnect`, { statusReason: 408 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.get('/api/whatsapp/config')).body.status).toBe('connected');
  });

  it("ends a disconnect the advisor asked for without the phone-logout alert Evolution's close implies", async () => {
    const { client, userId, instanceName } = await connectingAdvisor('Desconecta');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    expect((await client.post('/api/whatsapp/disconnect')).body).toEqual({ status: 'disconnected' });
    // Evolution reports our logout as a close with 401, as if the phone had logged out.
    await webhookApplied(service.runtime.ctx.db, userId, 'CONNECTION_UPDATE', { containing: '"close"' });
    expect((await client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'disconnected',
      alert: null,
    });
  });

  it('asks the gateway before answering "connected" to a connect, and shows a QR when the instance is gone', async () => {
    const { client, instanceName } = await connectingAdvisor('Perdida');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    expect((await client.post('/api/whatsapp/connect')).body).toEqual({ status: 'connected' });
    // The gateway loses its storage; no webhook says so.
    await emulator.post('/_emulator/reset');
    const again = await client.post('/api/whatsapp/connect');
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('qr_pending');
    const config = (await client.get('/api/whatsapp/config')).body;
    expect(config).toMatchObject({ status: 'qr_pending', instanceName });
  });

  it('disconnects and removes, tolerating a gateway that forgot the instance', async () => {
    const { client, instanceName } = await connectingAdvisor('Remove');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    expect((await client.post('/api/whatsapp/disconnect')).body).toEqual({ status: 'disconnected' });
    // The gateway loses the instance behind our back; removing still succeeds.
    await emulator.post('/_emulator/reset');
    const removed = await client.delete('/api/whatsapp/config');
    expect(removed.status).toBe(200);
    const config = (await client.get('/api/whatsapp/config')).body;
    expect(config).toMatchObject({ status: 'not_configured', instanceName: null, phoneNumber: null });
  });

  it('records a disconnect or a removal in the history once, however often it is asked', async () => {
    const { client, userId, instanceName } = await connectingAdvisor('Repite');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    expect((await client.post('/api/whatsapp/disconnect')).body).toEqual({ status: 'disconnected' });
    // Pressed again (a second tab, a double click): still disconnected, nothing changed.
    expect((await client.post('/api/whatsapp/disconnect')).body).toEqual({ status: 'disconnected' });
    const removes = await Promise.all([
      client.delete('/api/whatsapp/config'),
      client.delete('/api/whatsapp/config'),
    ]);
    expect(removes.map((r) => r.status)).toEqual([200, 200]);
    expect((await client.delete('/api/whatsapp/config')).status).toBe(200);
    const history = await connectionHistory(service, userId);
    expect(history.slice(history.indexOf('connected:'))).toEqual([
      'connected:',
      'disconnected:advisor',
      'not_configured:removed',
    ]);

    // An advisor who never linked anything has nothing to remove, and no history of removals.
    const fresh = await signUpAdvisor(service.url, 'Nunca');
    await fresh.client.get('/api/whatsapp/config');
    expect((await fresh.client.delete('/api/whatsapp/config')).status).toBe(200);
    expect(await connectionHistory(service, fresh.userId)).toEqual([]);
  });

  it('picks up a lost "open" webhook when the dashboard asks for a refresh', async () => {
    const { client, instanceName } = await connectingAdvisor('Lost');
    await emulator.put('/_emulator/faults', { dropWebhookRate: 1 });
    try {
      // While the gateway still offers the QR, a refresh leaves it shown.
      const offered = await client.get('/api/whatsapp/config?refresh=true');
      expect(offered.body).toMatchObject({ status: 'qr_pending', alert: null });
      expect(offered.body.qr.image).toMatch(/^data:image\/png;base64,/);
      await emulator.post(`/_emulator/instances/${instanceName}/scan`, { phone: '+5215512345678' });
      await new Promise((r) => setTimeout(r, 200));
      expect((await client.get('/api/whatsapp/config')).body.status).toBe('qr_pending');
      const refreshed = await client.get('/api/whatsapp/config?refresh=true');
      expect(refreshed.body.status).toBe('connected');
    } finally {
      await emulator.delete('/_emulator/faults');
    }
  });

  it('does not stay "connecting" once the gateway says the instance is closed', async () => {
    const { client, userId, instanceName } = await connectingAdvisor('Tarde');
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    await emulator.post(`/_emulator/instances/${instanceName}/disconnect`, { statusReason: 401 });
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected',
    );
    // A "connecting" from before the logout, delivered late (Evolution retries, in any order).
    const secret = webhookSecretOf(service.runtime.box, (await findConfig(service.runtime.ctx.db, userId))!)!;
    const late = JSON.stringify(
      envelope(instanceName, 'connection.update', {
        instance: instanceName,
        state: 'connecting',
        statusReason: 200,
      }),
    );
    expect((await postWebhook(service, late, { 'x-webhook-secret': secret })).status).toBe(200);
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connecting',
    );
    // The gateway's instance is closed: the poll the dashboard asks for says so.
    const refreshed = await client.get('/api/whatsapp/config?refresh=true');
    expect(refreshed.body).toMatchObject({ status: 'disconnected', alert: 'connection_closed' });
  });
});

describe('settings', () => {
  it('validates each field with a 422 naming it, and saves good values', async () => {
    const { client } = await signUpAdvisor(service.url, 'Settings');
    const bad = await client.put('/api/whatsapp/config', {
      settings: {
        timezone: 'Mars/Base',
        defaultCountry: 'XX',
        locale: 'not a locale',
        quietHours: { start: '25:00', end: '08:00' },
        rateLimit: { max: 100000, durationMs: 10 },
        reminderOffsetMinutes: 30_000,
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    const fields = bad.body.error.details.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual([
      'settings.defaultCountry',
      'settings.locale',
      'settings.quietHours.start',
      'settings.rateLimit.durationMs',
      'settings.rateLimit.max',
      'settings.reminderOffsetMinutes',
      'settings.timezone',
    ]);
    const messageOf = (field: string) =>
      bad.body.error.details.fields.find((f: { field: string }) => f.field === field).message;
    expect(messageOf('settings.locale')).toMatch(/BCP-47/);
    expect(messageOf('settings.reminderOffsetMinutes')).toMatch(/14 days/);
    // A reminder due at the start would always be refused as appointment_started: 0 never reminded.
    const zero = await client.put('/api/whatsapp/config', { settings: { reminderOffsetMinutes: 0 } });
    expect([zero.status, zero.body.error.details.fields]).toEqual([
      422,
      [
        {
          field: 'settings.reminderOffsetMinutes',
          message: 'must be at least 1 minute before the appointment',
        },
      ],
    ]);
    expect(bad.body.error.message).toContain('settings.rateLimit.durationMs');
    // Nothing of a rejected change is kept.
    expect((await client.get('/api/whatsapp/config')).body.settings).toMatchObject({
      locale: 'es-ES',
      reminderOffsetMinutes: 1440,
      rateLimit: { max: 50, durationMs: 60000 },
    });

    const good = await client.put('/api/whatsapp/config', {
      settings: { timezone: 'America/Mexico_City', locale: 'es-MX', defaultCountry: 'mx', quietHours: null },
    });
    expect(good.status).toBe(200);
    expect(good.body.settings).toMatchObject({
      timezone: 'America/Mexico_City',
      locale: 'es-MX',
      defaultCountry: 'MX',
      quietHours: null,
    });
    expect((await client.get('/api/whatsapp/config')).body.settings.timezone).toBe('America/Mexico_City');
  });

  it('refuses a locale dates cannot be written in, and stores zone and locale in their standard spelling', async () => {
    const { client } = await signUpAdvisor(service.url, 'Settings3');
    // "xx" is a well-formed tag with no date data: it used to be stored, then every booking
    // failed with a 500 when the confirmation's date was written.
    for (const locale of ['xx', 'zz-ZZ', 'und']) {
      const bad = await client.put('/api/whatsapp/config', { settings: { locale } });
      expect(bad.status, locale).toBe(422);
      expect(bad.body.error.details.fields).toEqual([
        { field: 'settings.locale', message: expect.stringMatching(/dates can be written in/) },
      ]);
    }
    const good = await client.put('/api/whatsapp/config', {
      settings: { timezone: 'america/mexico_city', locale: 'ES-mx' },
    });
    expect(good.status).toBe(200);
    expect(good.body.settings).toMatchObject({ timezone: 'America/Mexico_City', locale: 'es-MX' });
    const booked = await client.post('/api/appointments', {
      externalId: 'settings3-1',
      clientName: 'Eva',
      clientPhone: '+525512345678',
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      timezone: 'europe/madrid',
    });
    expect(booked.status).toBe(201);
    expect(booked.body.appointment.timezone).toBe('Europe/Madrid');
  });

  it('takes either half of the rate limit alone and keeps the other', async () => {
    const { client } = await signUpAdvisor(service.url, 'Settings4');
    const max = await client.put('/api/whatsapp/config', { settings: { rateLimit: { max: 20 } } });
    expect(max.status).toBe(200);
    expect(max.body.settings.rateLimit).toEqual({ max: 20, durationMs: 60000 });
    const duration = await client.put('/api/whatsapp/config', {
      settings: { rateLimit: { durationMs: 30000 } },
    });
    expect(duration.body.settings.rateLimit).toEqual({ max: 20, durationMs: 30000 });
  });

  it('rejects unknown settings and non-object bodies', async () => {
    const { client } = await signUpAdvisor(service.url, 'Settings2');
    expect((await client.put('/api/whatsapp/config', { settings: { colour: 'blue' } })).status).toBe(422);
    expect((await client.put('/api/whatsapp/config', { settings: 'x' })).status).toBe(400);
  });
});
