// Platform admin, feature switches, metrics, Prometheus and the queue UI.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { type TestService } from '../support/service.js';
import { ADMIN_EMAIL, startServiceWithAdmin } from '../support/admin.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin({ METRICS_TOKEN: 'a-long-metrics-token-123' }));
});
afterAll(async () => {
  await service?.close();
});

describe('feature switches', () => {
  it('lets an admin turn a feature off for one advisor, which then answers 403 and skips sends', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const other = await signUpAdvisor(service.url, 'Other');
    expect(
      (await other.client.put(`/api/admin/advisors/${ana.userId}/features`, { sending: false })).status,
    ).toBe(403);

    const queued = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000001',
      text: 'antes',
      scheduledAt: new Date(Date.now() + 1500).toISOString(),
    });
    const off = await admin.put(`/api/admin/advisors/${ana.userId}/features`, { sending: false });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ sending: false, reminders: true, inbox: true, publicCta: true });
    const refused = await ana.client.post('/api/whatsapp/send', { to: '+34612000001', text: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('feature_disabled');
    const skipped = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${queued.body.message.id}`),
      (r) => r.body.status === 'skipped',
    );
    expect(skipped.body.error.code).toBe('feature_disabled');
    expect((await ana.client.get('/api/whatsapp/config')).body.features.sending).toBe(false);
    expect((await admin.put('/api/admin/advisors/nobody/features', { sending: true })).status).toBe(404);
  });
});

describe('metrics', () => {
  it("computes the advisor's rates, template usage and daily series in SQL", async () => {
    const bea = await connectedAdvisor(service, 'Bea');
    const sent = await bea.client.post('/api/whatsapp/send', {
      to: '+34612000002',
      template: { key: 'follow_up' },
      variables: { nombre_cliente: 'Marta', nombre_asesor: 'Bea', mensaje_personalizado: '¡Ánimo!' },
    });
    // The emulator's receipts (delivered, read) arrive by webhook.
    await waitFor(
      () => bea.client.get(`/api/whatsapp/messages/${sent.body.message.id}`),
      (r) => r.body.status === 'read',
      { timeoutMs: 15_000 },
    );
    const metrics = await bea.client.get('/api/whatsapp/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatchObject({
      deliveryRate: 1,
      readRate: 1,
      totals: { attempted: 1, delivered: 1, read: 1, failed: 0 },
      templateUsage: [{ key: 'follow_up', count: 1, builtIn: true, customized: 0 }],
      connectionRate: 1,
    });
    expect(metrics.body.responseTime.sentToDelivered.median).toBeGreaterThanOrEqual(0);
    expect(metrics.body.messagesPerDay).toHaveLength(1);
    const history = metrics.body.connectionHistory.map((e: any) => e.status);
    expect(history).toContain('qr_pending');
    expect(history[history.length - 1]).toBe('connected');
    const empty = await bea.client.get(
      '/api/whatsapp/metrics?since=2020-01-01T00:00:00Z&until=2020-02-01T00:00:00Z',
    );
    expect(empty.body).toMatchObject({ deliveryRate: null, totals: { attempted: 0 } });
    expect(
      (await bea.client.get('/api/whatsapp/metrics?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z'))
        .status,
    ).toBe(422);
  });

  it("counts messagesPerDay in the advisor's own days, the admin view in UTC days", async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Días Madrid');
    expect(
      (await client.put('/api/whatsapp/config', { settings: { timezone: 'Europe/Madrid' } })).status,
    ).toBe(200);
    // 23:30 UTC on 30 November is 00:30 on 1 December in Madrid.
    await service.database.db.execute(sql`
      insert into whatsapp_message (advisor_id, direction, status, phone, created_at)
      values (${userId}, 'inbound', 'received', '+34612000991', '2026-11-30T23:30:00Z')`);
    const range = 'since=2026-11-30T00:00:00Z&until=2026-12-02T00:00:00Z';
    const mine = await client.get(`/api/whatsapp/metrics?${range}`);
    expect(mine.body.messagesPerDay).toEqual([
      { day: '2026-12-01', sent: 0, delivered: 0, read: 0, failed: 0, inbound: 1 },
    ]);
    const platform = await admin.get(`/api/admin/metrics?${range}`);
    const utcDays = platform.body.messagesPerDay.map((d: { day: string }) => d.day);
    expect(utcDays).toContain('2026-11-30');
  });

  it('names the admin, not the advisor, in the audit log of what an impersonating admin sent', async () => {
    const advisor = await signUpAdvisor(service.url, 'Suplantada');
    const adminId = (await admin.get('/api/auth/get-session')).body.user.id;
    // A session of its own: impersonating replaces the session cookie of the client doing it.
    const as = new HttpClient(service.url);
    expect(
      (await as.post('/api/auth/sign-in/email', { email: ADMIN_EMAIL, password: 'correct-horse-9' })).status,
    ).toBe(200);
    const started = await as.post('/api/auth/admin/impersonate-user', { userId: advisor.userId });
    expect(started.status).toBe(200);
    const sent = await as.post('/api/whatsapp/send', { to: '+34612000993', text: 'De parte del soporte' });
    expect(sent.status).toBe(202);
    const audit = await advisor.client.get('/api/whatsapp/audit');
    const entry = audit.body.items.find((e: { messageId: string }) => e.messageId === sent.body.message.id);
    expect(entry).toMatchObject({ actorType: 'admin', actorId: adminId, action: 'message.send' });
  });

  it('gives platform metrics to admins only', async () => {
    const advisor = await signUpAdvisor(service.url, 'Nosy');
    expect((await advisor.client.get('/api/admin/metrics')).status).toBe(403);
    const res = await admin.get('/api/admin/metrics');
    expect(res.status).toBe(200);
    expect(res.body.featureAdoption.advisors).toBeGreaterThanOrEqual(3);
    expect(res.body.featureAdoption.connectedAdvisors).toBeGreaterThanOrEqual(1);
  });
});

describe('operator endpoints', () => {
  it('serves Prometheus text to loopback and to the bearer token, not to others', async () => {
    const res = await fetch(`${service.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('ww_sends_total');
    expect(text).toContain('ww_queue_jobs');
    expect(text).toContain('ww_connected_instances');
    const proxied = await fetch(`${service.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(401);
    // A proxy on the same host may say whose request it forwards with another header.
    const forwarding: Record<string, string>[] = [
      { 'x-real-ip': '203.0.113.9' },
      { forwarded: 'for=203.0.113.9' },
    ];
    for (const headers of forwarding) {
      expect((await fetch(`${service.url}/metrics`, { headers })).status).toBe(401);
    }
    const withToken = await fetch(`${service.url}/metrics`, {
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer a-long-metrics-token-123' },
    });
    expect(withToken.status).toBe(200);
    // The scheme is case-insensitive: a scraper sending `bearer` is let in too.
    const lowercase = await fetch(`${service.url}/metrics`, {
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'bearer a-long-metrics-token-123' },
    });
    expect(lowercase.status).toBe(200);
  });

  it('shows the queue UI to admins only', async () => {
    const advisor = await signUpAdvisor(service.url, 'NotAdmin');
    expect((await advisor.client.get('/admin/queues/api/queues')).status).toBe(403);
    expect((await new HttpClient(service.url).get('/admin/queues/api/queues')).status).toBe(401);
    const res = await admin.get('/admin/queues/api/queues');
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('send');
  });
});

describe('credentials at rest', () => {
  it('stores instance tokens and webhook secrets sealed, never in clear', async () => {
    const cara = await connectedAdvisor(service, 'Cara');
    const result = await service.database.db.execute(
      sql`select instance_token_enc, webhook_secret_enc from whatsapp_config where advisor_id = ${cara.userId}`,
    );
    const row = (Array.isArray(result) ? result[0] : (result as any).rows[0]) as Record<string, string>;
    expect(row.instance_token_enc).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(row.webhook_secret_enc).toMatch(/^v1:[0-9a-f]{8}:/);
    const token = service.runtime.box.open(row.instance_token_enc!);
    const secret = service.runtime.box.open(row.webhook_secret_enc!);
    // The plaintext appears nowhere in the advisor's row or in the API's answers.
    const dump = JSON.stringify(
      (await service.database.db.execute(
        sql`select * from whatsapp_config where advisor_id = ${cara.userId}`,
      )) as unknown,
    );
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(secret);
    const api = JSON.stringify((await cara.client.get('/api/whatsapp/config')).body);
    expect(api).not.toContain(token);
    expect(api).not.toContain(secret);
  });
});
