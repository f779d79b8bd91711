// Live status over SSE (one advisor's events only), QR rotation and its limit, gateway outages
// while connecting, the health check, and key rotation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { SecretBox } from '../../src/domain/crypto/secret-box.js';
import { rotateKeys } from '../../src/domain/crypto/rotate-keys.js';
import { checkConnectedInstances } from '../../src/domain/instances/refresh-connection-state.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { openSse } from '../support/sse.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService({ emulator: { qrTimeoutMs: 300, qrLimit: 4 } });
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

describe('live events', () => {
  it("pushes status changes and fresh QRs to the advisor's own stream only", async () => {
    const a = await signUpAdvisor(service.url, 'Alba');
    const b = await signUpAdvisor(service.url, 'Blanca');
    const streamA = await openSse(`${service.url}/api/whatsapp/events`, a.client.cookieHeader());
    const streamB = await openSse(`${service.url}/api/whatsapp/events`, b.client.cookieHeader());
    try {
      const snapshot = await streamA.next((e) => e.event === 'status');
      expect(snapshot.data.status).toBe('not_configured');
      await a.client.post('/api/whatsapp/connect');
      const { instanceName } = (await a.client.get('/api/whatsapp/config')).body;
      // QRs rotate every 300 ms here: a refreshed one reaches the stream.
      const qrs = new Set<string>();
      await waitFor(
        async () => {
          for (const e of streamA.events) if (e.data.qr?.image) qrs.add(e.data.qr.image);
          return qrs.size;
        },
        (n) => n >= 2,
        { what: 'two different QRs on the stream' },
      );
      await emulator.post(`/_emulator/instances/${instanceName}/scan`, { phone: '+34611111111' });
      const connected = await streamA.next((e) => e.event === 'status' && e.data.status === 'connected');
      expect(connected.data.phoneNumber).toBe('+34611111111');
      // B saw its own snapshot and nothing of A's.
      await new Promise((r) => setTimeout(r, 200));
      expect(streamB.events.map((e) => e.data.status)).toEqual(['not_configured']);
    } finally {
      streamA.close();
      streamB.close();
    }
  });

  it('refuses the stream without a session', async () => {
    const res = await fetch(`${service.url}/api/whatsapp/events`);
    expect(res.status).toBe(401);
  });
});

describe('QR limit', () => {
  it('tells the advisor to try again when nobody scans in time', async () => {
    const { client } = await signUpAdvisor(service.url, 'Slow');
    await client.post('/api/whatsapp/connect');
    const gave = await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.alert === 'qr_limit_reached',
      {
        what: 'qr limit',
      },
    );
    expect(gave.body.status).toBe('disconnected');
    expect(gave.body.qr).toBeNull();
    const again = await client.post('/api/whatsapp/connect');
    expect(again.body.status).toBe('qr_pending');
  });
});

describe('QR limit with its webhooks lost', () => {
  it('is noticed by the state poll, with the same alert the webhook would give', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Lost Limit');
    await emulator.put('/_emulator/faults', { dropWebhookRate: 1 });
    try {
      expect((await client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
      const { instanceName } = (await client.get('/api/whatsapp/config')).body;
      // Four QRs of 300 ms nobody scans: the gateway gives up and closes. We hear nothing.
      await waitFor(
        () => emulator.get(`/_emulator/instances/${instanceName}`),
        (r) => r.body.state === 'close',
        { what: 'the gateway giving up on the QR' },
      );
      expect((await client.get('/api/whatsapp/config')).body.status).toBe('qr_pending');

      const polled = await client.get('/api/whatsapp/config?refresh=true');
      expect(polled.body).toMatchObject({ status: 'disconnected', alert: 'qr_limit_reached', qr: null });
      const [event] = (await service.database.db
        .execute(
          sql`select status, reason from connection_event where advisor_id = ${userId} order by at desc limit 1`,
        )
        .then(rowsOf)) as { status: string; reason: string }[];
      expect(event).toEqual({ status: 'disconnected', reason: 'qr_limit_reached' });
    } finally {
      await emulator.delete('/_emulator/faults');
    }
    // "Try again" works.
    expect((await client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
  });
});

describe('gateway faults while connecting', () => {
  it('answers 503 gateway_unavailable and the next call completes the instance', async () => {
    const { client } = await signUpAdvisor(service.url, 'Outage');
    await emulator.put('/_emulator/faults', { errorRate: 1 });
    try {
      const res = await client.post('/api/whatsapp/connect');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('gateway_unavailable');
    } finally {
      await emulator.delete('/_emulator/faults');
    }
    // No number was linked: there is nothing to disconnect, as before any connect, and the
    // history gains no "disconnected by the advisor" (it was 200 and recorded one).
    const disconnect = await client.post('/api/whatsapp/disconnect');
    expect(disconnect.status).toBe(404);
    expect(disconnect.body.error.code).toBe('not_found');
    expect((await client.get('/api/whatsapp/config')).body.status).toBe('not_configured');
    const userId = (await client.get('/api/auth/get-session')).body.user.id as string;
    const events = await service.database.db
      .execute(sql`select status from connection_event where advisor_id = ${userId}`)
      .then(rowsOf);
    expect(events).toEqual([]);

    const retry = await client.post('/api/whatsapp/connect');
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('qr_pending');
    const { instanceName } = (await client.get('/api/whatsapp/config')).body;
    const all = (await emulator.get('/_emulator/instances')).body.filter((i: any) => i.name === instanceName);
    expect(all).toHaveLength(1);
  });
});

describe('health check', () => {
  it('catches an instance that looks connected but is not', async () => {
    // This service's QR rotates every 300 ms: a late QR event could undo the "open" one.
    const advisor = await connectedAdvisor(service, 'Zombie', { pollState: true });
    // The gateway loses it without telling us (no webhook): only a poll can notice.
    await emulator.put('/_emulator/faults', { dropWebhookRate: 1 });
    try {
      await emulator.post(`/_emulator/instances/${advisor.instanceName}/disconnect`, { statusReason: 401 });
      expect((await advisor.client.get('/api/whatsapp/config')).body.status).toBe('connected');
      await checkConnectedInstances(service.runtime.ctx);
      const after = await advisor.client.get('/api/whatsapp/config');
      expect(after.body.status).toBe('disconnected');
    } finally {
      await emulator.delete('/_emulator/faults');
    }
  });

  it("checks every advisor even when one advisor's instance cannot be checked", async () => {
    const broken = await connectedAdvisor(service, 'Roto', { pollState: true });
    const zombie = await connectedAdvisor(service, 'Zombie Dos', { pollState: true });
    const { db } = service.database;
    // Sealed under a key this service does not hold (dropped from ENCRYPTION_KEYS too early).
    const foreign = new SecretBox(Buffer.alloc(32, 7)).seal('TOKEN');
    const readable = service.runtime.box.seal('TOKEN');
    await db.execute(
      sql`update whatsapp_config set instance_token_enc = ${foreign} where advisor_id = ${broken.userId}`,
    );
    // Written after it, so the scan (no order) meets the unreadable row first.
    await db.execute(sql`update whatsapp_config set updated_at = now() where advisor_id = ${zombie.userId}`);
    await emulator.put('/_emulator/faults', { dropWebhookRate: 1 });
    try {
      await emulator.post(`/_emulator/instances/${zombie.instanceName}/disconnect`, { statusReason: 401 });
      await checkConnectedInstances(service.runtime.ctx);
      expect((await zombie.client.get('/api/whatsapp/config')).body.status).toBe('disconnected');
    } finally {
      await emulator.delete('/_emulator/faults');
      // Readable again for the key rotation below.
      await db.execute(
        sql`update whatsapp_config set instance_token_enc = ${readable} where advisor_id = ${broken.userId}`,
      );
    }
  });
});

describe('key rotation', () => {
  it('re-seals every credential under the new key; old rows keep working meanwhile', async () => {
    const advisor = await connectedAdvisor(service, 'Rotate', { pollState: true });
    const oldBox = service.runtime.box;
    const newKey = Buffer.alloc(32, 9);
    const rotated = new SecretBox(newKey, [service.config.encryption.key]);
    const report = await rotateKeys(service.database.db, rotated);
    expect(report.resealed).toBeGreaterThanOrEqual(1);
    const result = await service.database.db.execute(
      sql`select instance_token_enc from whatsapp_config where advisor_id = ${advisor.userId}`,
    );
    const sealed = ((Array.isArray(result) ? result[0] : (result as any).rows[0]) as any)
      .instance_token_enc as string;
    expect(rotated.isStale(sealed)).toBe(false);
    expect(() => oldBox.open(sealed)).toThrow(/ENCRYPTION_KEYS/);
    expect(new SecretBox(newKey).open(sealed)).toMatch(/^[0-9A-F]+$/);
    expect((await rotateKeys(service.database.db, rotated)).resealed).toBe(0);
  });
});
