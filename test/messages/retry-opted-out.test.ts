// Retrying a failed message to a client who has opted out since. A retry is a send, and sending to
// an opted-out client is 422 recipient_opted_out (API.md): refused up front, the message left
// `failed`. It was accepted (202), put back in the queue, and the worker then marked it `skipped`
// (recipient_opted_out): a status no retry accepts, so once the client opted back in the message
// could never be retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { insertFailedMessage } from '../support/failed-message.js';
import { listAudit } from '../../src/db/repositories/audit.repository.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

const failedMessage = (userId: string, phone: string) =>
  insertFailedMessage(service.runtime.ctx.db, userId, phone);

describe('retrying a failed message to a client who opted out', () => {
  it('is refused with 422 recipient_opted_out and leaves the message failed, retriable once they opt in', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Con Bajas');
    const { db } = service.runtime.ctx;
    const phone = '+34612000881';
    const failed = await failedMessage(userId, phone);
    const out = await client.put(`/api/whatsapp/clients/${encodeURIComponent(phone)}`, { optedOut: true });
    expect(out.status).toBe(200);

    const res = await client.post(`/api/whatsapp/messages/${failed.id}/retry`);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'recipient_opted_out', details: { phone } });
    expect(await findMessage(db, userId, failed.id)).toMatchObject({ status: 'failed', attempts: 1 });
    const audit = await listAudit(db, userId, { limit: 50 });
    expect(audit.map((e: { action: string }) => e.action)).not.toContain('message.retry');

    // Opted back in, the same message may be retried.
    expect(
      (await client.put(`/api/whatsapp/clients/${encodeURIComponent(phone)}`, { optedOut: false })).status,
    ).toBe(200);
    const again = await client.post(`/api/whatsapp/messages/${failed.id}/retry`);
    expect(again.status).toBe(202);
    expect(again.body.message.status).toBe('queued');
  });
});
