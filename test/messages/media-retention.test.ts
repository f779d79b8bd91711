// Uploaded media bytes are deleted once no message needs them any more: the message is done and
// was last updated longer ago than MEDIA_RETENTION_DAYS. Waiting messages keep theirs however old,
// and a failed message retried after its bytes went fails with a clear reason instead of sending
// nothing. Real service, real emulator, real database.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAllSentMedia } from '../../src/db/repositories/media.repository.js';
import { whatsappMedia, whatsappMessage } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana');
  bea = await connectedAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const DAY = 86_400_000;
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString(
  'base64',
);

/**
 * Sends an uploaded image and waits until it is read: the test emulator sends every receipt a
 * few milliseconds after the send, and one arriving after the test has aged the row would move
 * it again (a receipt may revive a message marked failed).
 */
async function sentUpload(advisor: ConnectedAdvisor, to: string) {
  const res = await advisor.client.post('/api/whatsapp/send', {
    to,
    type: 'image',
    media: { base64: png, fileName: 'plan.png' },
  });
  expect(res.status).toBe(202);
  const id = res.body.message.id as string;
  await waitFor(
    () => advisor.client.get(`/api/whatsapp/messages/${id}`),
    (r) => r.body.status === 'read',
    { what: `${to} read` },
  );
  return id;
}

const row = async (id: string) =>
  (await service.database.db.select().from(whatsappMessage).where(eq(whatsappMessage.id, id)))[0]!;
const hasMedia = async (id: string) => {
  const { mediaId } = await row(id);
  const media = await service.database.db
    .select({ id: whatsappMedia.id })
    .from(whatsappMedia)
    .where(eq(whatsappMedia.id, mediaId!));
  return media.length === 1;
};
/** Moves a message (and its upload) back in time, as if it had been done that long ago. */
const age = (id: string, days: number, status?: string) =>
  service.database.db.execute(sql`
    with m as (
      update whatsapp_message set updated_at = now() - make_interval(days => ${days}),
        created_at = now() - make_interval(days => ${days}), status = coalesce(${status ?? null}::text, status)
      where id = ${id}::uuid returning media_id)
    update whatsapp_media set created_at = now() - make_interval(days => ${days}) where id in (select media_id from m)`);

describe('media retention', () => {
  it('deletes the bytes of messages done before the cutoff, and keeps those still needed', async () => {
    const old = await sentUpload(ana, '+34612000701');
    const recent = await sentUpload(ana, '+34612000702');
    const waiting = await sentUpload(bea, '+34612000703');
    const failedOld = await sentUpload(bea, '+34612000704');
    const touched = await sentUpload(bea, '+34612000706');
    await age(old, 40);
    await age(recent, 10);
    await age(waiting, 90, 'queued'); // still to be sent: needs its bytes however old
    await age(failedOld, 40, 'failed');
    // Sent 40 days ago, but its message changed 5 days ago (a late read receipt, a retry).
    await age(touched, 40);
    await service.database.db
      .update(whatsappMessage)
      .set({ updatedAt: new Date(Date.now() - 5 * DAY) })
      .where(eq(whatsappMessage.id, touched));
    for (const id of [old, recent, waiting, failedOld, touched]) expect(await hasMedia(id)).toBe(true);

    expect(await pruneAllSentMedia(service.database.db, new Date(Date.now() - 30 * DAY))).toBe(2);
    expect(await hasMedia(old)).toBe(false);
    expect(await hasMedia(failedOld)).toBe(false);
    expect(await hasMedia(recent)).toBe(true);
    expect(await hasMedia(waiting)).toBe(true);
    expect(await hasMedia(touched)).toBe(true);
    // The message rows stay, as history.
    expect(await row(old)).toMatchObject({ type: 'image', mimetype: 'image/png' });
    expect(await pruneAllSentMedia(service.database.db, new Date(Date.now() - 30 * DAY))).toBe(0);
  });

  it('a failed message retried after its bytes went fails at once, saying why', async () => {
    const id = await sentUpload(ana, '+34612000705');
    await age(id, 40, 'failed');
    expect(await pruneAllSentMedia(service.database.db, new Date(Date.now() - 30 * DAY))).toBe(1);
    const retry = await ana.client.post(`/api/whatsapp/messages/${id}/retry`, {});
    expect(retry.status).toBe(202);
    const after = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.status === 'failed',
      { what: 'the retry failed' },
    );
    expect(after.body.error).toMatchObject({ message: 'The media for this message is no longer available.' });
  });
});
