// The instance lookup of every webhook (WebhookTenants) keeps each instance's secret for a few
// seconds. An advisor who removed their instance and connected again within them got the same
// instance name with a new secret, and a late delivery of the removed instance, signed with the
// old secret (its logout's close, Evolution retrying), passed the cached check and turned the new
// connection's QR into "disconnected" (found by review). Events that change the connection's state
// are now checked against the secret stored now; receipts and messages keep the cache.
// The receiver is driven directly with a cache that outlives the test, so no timing is involved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/app-error.js';
import { WebhookReceiver } from '../../src/domain/webhooks/receive-webhook.js';
import { WebhookEventWriter } from '../../src/domain/webhooks/webhook-event-writer.js';
import { WebhookTenants } from '../../src/domain/webhooks/webhook-tenants.js';
import { startTestService, type TestService } from '../support/service.js';
import { connectedAdvisor, envelope, webhookJwt } from '../support/whatsapp.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('a webhook signed with the secret of a removed instance', () => {
  it('changes no connection state, though the cache still holds that secret', async () => {
    const ana = await connectedAdvisor(service, 'Ana Quitada');
    const { ctx, box, webhookQueue } = service.runtime;
    const tenants = new WebhookTenants(ctx.db, box, { ttlMs: 3_600_000, maxEntries: 10 });
    const writer = new WebhookEventWriter(ctx.db, ctx.events, webhookQueue, ctx.logger, {
      echoGraceMs: service.config.webhooks.echoGraceMs,
    });
    const receiver = new WebhookReceiver(tenants, writer, ctx.logger);
    const signedWithOld = (event: string, data: unknown) => ({
      rawBody: Buffer.from(JSON.stringify(envelope(ana.instanceName, event, data))),
      headers: { authorization: `Bearer ${webhookJwt(ana.secret)}` },
      ip: '127.0.0.1',
    });

    // The cache learns the instance's secret (an event nobody acts on: nothing is written).
    expect(await receiver.receive(signedWithOld('presence.update', {}))).toMatchObject({ stored: false });

    // Removed and connected again: the same instance name, a new secret.
    expect((await ana.client.delete('/api/whatsapp/config')).status).toBe(200);
    expect((await ana.client.post('/api/whatsapp/connect')).status).toBe(200);

    // The removed instance's close, delivered late with the old secret: refused.
    const close = signedWithOld('connection.update', {
      instance: ana.instanceName,
      state: 'close',
      statusReason: 401,
    });
    await expect(receiver.receive(close)).rejects.toSatisfy(
      (err) => err instanceof AppError && err.code === 'invalid_webhook_credentials',
    );
    // By its path too (Evolution's webhook_by_events), with no event in the body.
    const { event: _event, ...withoutEvent } = envelope(ana.instanceName, 'connection.update', {
      instance: ana.instanceName,
      state: 'close',
      statusReason: 401,
    });
    await expect(
      receiver.receive({
        ...close,
        rawBody: Buffer.from(JSON.stringify(withoutEvent)),
        pathEvent: 'connection-update',
      }),
    ).rejects.toSatisfy((err) => err instanceof AppError && err.code === 'invalid_webhook_credentials');
    // That read refreshed the cache: the old secret now opens nothing.
    await expect(receiver.receive(signedWithOld('presence.update', {}))).rejects.toSatisfy(
      (err) => err instanceof AppError && err.code === 'invalid_webhook_credentials',
    );

    expect((await ana.client.get('/api/whatsapp/config')).body.status).toBe('qr_pending');
  });
});
