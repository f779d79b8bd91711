// Retrying a failed message while an admin has switched sending (or, for an automated message,
// the reminders) off for the advisor. A retry is a send: it must be refused up front, 403
// feature_disabled, as POST /send is, and leave the message `failed`. It was accepted (202), put
// back in the queue, and the worker then marked it `skipped`: a status no retry accepts, so the
// message could never be retried again once the feature came back.
import { describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { insertFailedMessage } from '../support/failed-message.js';
import { signUpAdvisor } from '../support/http.js';
import { useServiceWithAdmin } from '../support/admin.js';

const setup = useServiceWithAdmin();

const failedMessage = (userId: string, purpose: string, phone: string) =>
  insertFailedMessage(setup.service.runtime.ctx.db, userId, phone, purpose);

describe('retrying a failed message with its feature switched off', () => {
  it('is refused with 403 feature_disabled and leaves the message failed, retriable later', async () => {
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Sin Envíos');
    const { db } = setup.service.runtime.ctx;
    const failed = await failedMessage(userId, 'manual', '+34612000871');
    expect((await setup.admin.put(`/api/admin/advisors/${userId}/features`, { sending: false })).status).toBe(
      200,
    );

    const res = await client.post(`/api/whatsapp/messages/${failed.id}/retry`);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'feature_disabled', details: { feature: 'sending' } });
    expect(await findMessage(db, userId, failed.id)).toMatchObject({ status: 'failed' });

    // Switched back on, the same message may be retried.
    expect((await setup.admin.put(`/api/admin/advisors/${userId}/features`, { sending: true })).status).toBe(
      200,
    );
    const again = await client.post(`/api/whatsapp/messages/${failed.id}/retry`);
    expect(again.status).toBe(202);
    expect(again.body.message.status).toBe('queued');
  });

  it('refuses an automated message while reminders are off, and a manual one still goes', async () => {
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Sin Recordatorios');
    const { db } = setup.service.runtime.ctx;
    const reminder = await failedMessage(userId, 'reminder', '+34612000872');
    const manual = await failedMessage(userId, 'manual', '+34612000873');
    expect(
      (await setup.admin.put(`/api/admin/advisors/${userId}/features`, { reminders: false })).status,
    ).toBe(200);

    const res = await client.post(`/api/whatsapp/messages/${reminder.id}/retry`);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'feature_disabled', details: { feature: 'reminders' } });
    expect(await findMessage(db, userId, reminder.id)).toMatchObject({ status: 'failed' });
    expect((await client.post(`/api/whatsapp/messages/${manual.id}/retry`)).status).toBe(202);
  });
});
