// Credentials never leave their sealed columns: not through the webhook events we store (an
// Evolution with AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true puts the instance token in clear
// in every delivery's `apikey`), not through the service's logs, at the most verbose level,
// during a connect, verified webhooks (the gateway's own and a hand-made one) and a send.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { rowsOf } from '../../src/db/client.js';
import { instanceRefOf } from '../../src/domain/instances/instance-credentials.js';
import { createLogger } from '../../src/logger.js';
import { logSink } from '../support/logs.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  postWebhook,
  upsertData,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
const sink = logSink();
beforeAll(async () => {
  service = await startTestService({
    emulator: { exposeApiKeyInWebhooks: true },
    logger: createLogger('trace', 'wellness-whatsapp', sink.stream),
  });
});
afterAll(async () => {
  await service?.close();
});

async function secretsOf(advisor: ConnectedAdvisor): Promise<{ token: string; secret: string }> {
  const row = await findConfig(service.database.db, advisor.userId);
  return { token: instanceRefOf(service.runtime.box, row!)!.token, secret: advisor.secret };
}

async function storedEvents(advisorId: string): Promise<{ event: string; payload: string }[]> {
  const result = await service.database.db.execute(
    sql`select event, payload::text as payload from webhook_event where advisor_id = ${advisorId} order by id`,
  );
  return rowsOf<{ event: string; payload: string }>(result);
}

describe('an Evolution that exposes the instance token in its webhooks', () => {
  let advisor: ConnectedAdvisor;
  let token: string;
  let secret: string;

  beforeAll(async () => {
    advisor = await connectedAdvisor(service, 'Tokens');
    ({ token, secret } = await secretsOf(advisor));
    const sent = await advisor.client.post('/api/whatsapp/send', { to: '+34612000321', text: 'hola' });
    expect(sent.status).toBe(202);
    // The send's receipts come back by webhook, each carrying the token in its envelope.
    await waitFor(
      () => advisor.client.get(`/api/whatsapp/messages/${sent.body.message.id}`),
      (r) => r.body.status === 'read',
      { what: 'the message read', timeoutMs: 15_000 },
    );
    // A verified webhook of our own making, authenticated by the secret header, with the token
    // in the envelope as the gateway would put it.
    const body = JSON.stringify({
      ...envelope(
        advisor.instanceName,
        'messages.upsert',
        upsertData('+34612000321', 'gracias', 'IN-TOKENS-1'),
      ),
      apikey: token,
    });
    const res = await postWebhook(service, body, { 'x-webhook-secret': secret });
    expect(res.status).toBe(200);
    // The send's own receipts are applied on arrival, not stored; a receipt naming no recorded
    // message is stored (and parked), with the token in its envelope as the gateway puts it.
    const receipt = JSON.stringify({
      ...envelope(advisor.instanceName, 'messages.update', {
        keyId: '3EB0NOT-RECORDED-TOKENS',
        remoteJid: '34612000321@s.whatsapp.net',
        fromMe: true,
        status: 'DELIVERY_ACK',
        instanceId: 'inst-1',
      }),
      apikey: token,
    });
    expect((await postWebhook(service, receipt, { 'x-webhook-secret': secret })).status).toBe(200);
    // And a forged one (wrong secret), which is refused and logged.
    const forged = await postWebhook(service, body, { 'x-webhook-secret': `${secret}x` });
    expect(forged.status).toBe(401);
    await waitFor(
      () => advisor.client.get('/api/whatsapp/conversations'),
      (r) => JSON.stringify(r.body).includes('gracias'),
      { what: 'the inbound message processed' },
    );
  });

  it('stores the events without the token', async () => {
    const events = await storedEvents(advisor.userId);
    // The scan's "open", the hand-made message and receipt: all were stored. (The send's echo and
    // receipts are stored only if they overtook the send's answer; otherwise they were settled or
    // applied on arrival.)
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['CONNECTION_UPDATE', 'MESSAGES_UPDATE', 'MESSAGES_UPSERT']),
    );
    for (const e of events) {
      expect(e.payload).not.toContain(token);
      expect(e.payload).not.toContain(secret);
      expect(JSON.parse(e.payload)).not.toHaveProperty('apikey');
    }
    // Nowhere else in the database either, for any advisor's row.
    for (const table of ['webhook_event', 'whatsapp_config', 'whatsapp_message', 'connection_event']) {
      const dump = JSON.stringify(
        rowsOf(await service.database.db.execute(sql.raw(`select * from ${table}`))),
      );
      expect(dump, table).not.toContain(token);
      expect(dump, table).not.toContain(secret);
    }
  });

  it('writes neither the token nor the webhook secret to the logs', async () => {
    const logs = sink.text();
    // The capture works: the gateway calls, the requests and the refused webhook were logged.
    expect(logs).toContain('evolution call');
    expect(logs).toContain('/api/whatsapp/send');
    expect(logs).toContain('webhook rejected');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(secret);
  });
});

describe('the logger', () => {
  it('redacts the fields that hold credentials, wherever a log line puts them', async () => {
    const out = logSink();
    const logger = createLogger('trace', 'redaction', out.stream);
    logger.info(
      {
        jwt_key: 'S1',
        webhook: { jwt_key: 'S2', headers: { jwt_key: 'S3', 'x-webhook-secret': 'S4' } },
        headers: { 'x-webhook-secret': 'S5', jwt_key: 'S6' },
        payload: { apikey: 'S7' },
        req: { headers: { 'x-webhook-secret': 'S8', apikey: 'S9' } },
        token: 'S10',
      },
      'secrets',
    );
    expect(out.text()).toContain('"msg":"secrets"');
    for (let i = 1; i <= 10; i++) expect(out.text()).not.toMatch(new RegExp(`"S${i}"`));
  });
});
