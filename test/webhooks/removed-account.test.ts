// An admin removed an advisor's account (its rows go with it, webhook_event's included) while an
// API process still held its instance's secret (WebhookTenants keeps it 5 s). A message or receipt
// of that instance delivered in those seconds passed the cached check, and its row, naming an
// account that no longer exists, broke webhook_event's foreign key: the gateway got a 500, and so
// did every other advisor's webhook written in the same batch (one INSERT for the whole batch).
// Found by review. Such a webhook is now refused as one from an unknown instance (401, what it
// gets once the cache forgets the secret), and the others in its batch are stored.
// The receiver is driven directly with a cache that outlives the test, so no timing is involved;
// one request over HTTP shows the answer the gateway gets.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { AppError } from '../../src/domain/app-error.js';
import { WebhookReceiver } from '../../src/domain/webhooks/receive-webhook.js';
import { WebhookEventWriter } from '../../src/domain/webhooks/webhook-event-writer.js';
import { WebhookTenants } from '../../src/domain/webhooks/webhook-tenants.js';
import { startServiceWithAdmin } from '../support/admin.js';
import type { HttpClient } from '../support/http.js';
import type { TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  postWebhook,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin());
});
afterAll(async () => {
  await service?.close();
});

const clientWrites = (advisor: ConnectedAdvisor, phone: string, text: string, id: string) => ({
  rawBody: Buffer.from(
    JSON.stringify(envelope(advisor.instanceName, 'messages.upsert', upsertData(phone, text, id))),
  ),
  headers: { authorization: `Bearer ${webhookJwt(advisor.secret)}` },
  ip: '127.0.0.1',
});

const messagesOf = async (advisor: ConnectedAdvisor) =>
  (
    await service.database.db
      .select({ id: whatsappMessage.evolutionMessageId })
      .from(whatsappMessage)
      .where(eq(whatsappMessage.advisorId, advisor.userId))
  ).map((m) => m.id);

async function removeAccount(advisor: ConnectedAdvisor) {
  expect((await admin.post('/api/auth/admin/remove-user', { userId: advisor.userId })).status).toBe(200);
}

describe("a webhook of a removed account's instance, while its secret is still cached", () => {
  it("is refused as an unknown instance's, and the other advisors' in its batch are stored", async () => {
    const [ana, bea] = await Promise.all([
      connectedAdvisor(service, 'Ana Dada de Baja'),
      connectedAdvisor(service, 'Bea Sigue'),
    ]);
    const { ctx, box, webhookQueue } = service.runtime;
    const tenants = new WebhookTenants(ctx.db, box, { ttlMs: 3_600_000, maxEntries: 10 });
    const writer = new WebhookEventWriter(ctx.db, ctx.events, webhookQueue, ctx.logger, {
      echoGraceMs: service.config.webhooks.echoGraceMs,
    });
    const receiver = new WebhookReceiver(tenants, writer, ctx.logger);

    // The cache learns both instances' secrets.
    await receiver.receive(clientWrites(ana, '+34613100001', 'Hola', 'GONE-A1'));
    await receiver.receive(clientWrites(bea, '+34613100002', 'Hola', 'GONE-B1'));
    await removeAccount(ana);

    // Received in one turn of the event loop: one batch, one INSERT.
    const outcomes = await Promise.allSettled([
      receiver.receive(clientWrites(bea, '+34613100002', '¿Hay hueco?', 'GONE-B2')),
      receiver.receive(clientWrites(ana, '+34613100001', 'Sigo aquí', 'GONE-A2')),
      receiver.receive(clientWrites(bea, '+34613100003', 'Buenas', 'GONE-B3')),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { stored: true } });
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { stored: true } });
    expect(outcomes[1].status).toBe('rejected');
    const refusal = (outcomes[1] as PromiseRejectedResult).reason;
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('invalid_webhook_credentials');

    await waitFor(
      () => messagesOf(bea),
      (ids) => ['GONE-B1', 'GONE-B2', 'GONE-B3'].every((id) => ids.includes(id)),
      { what: "Bea's messages stored" },
    );
    expect(await messagesOf(ana)).toEqual([]);
  });

  it('is answered 401 over HTTP, never 500', async () => {
    const cy = await connectedAdvisor(service, 'Cy Dado de Baja');
    const post = (text: string, id: string) =>
      postWebhook(
        service,
        JSON.stringify(envelope(cy.instanceName, 'messages.upsert', upsertData('+34613100004', text, id))),
        { authorization: `Bearer ${webhookJwt(cy.secret)}` },
      );
    // The service's own cache learns the secret; the removal follows within its 5 s.
    expect((await post('Hola', 'GONE-C1')).status).toBe(200);
    await removeAccount(cy);
    const late = await post('¿Sigue ahí?', 'GONE-C2');
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('invalid_webhook_credentials');
    const receipt = await postWebhook(
      service,
      JSON.stringify(
        envelope(cy.instanceName, 'messages.update', {
          keyId: 'GONE-C9',
          fromMe: true,
          status: 'DELIVERY_ACK',
        }),
      ),
      { authorization: `Bearer ${webhookJwt(cy.secret)}` },
    );
    expect(receipt.status).toBe(401);
  });
});
