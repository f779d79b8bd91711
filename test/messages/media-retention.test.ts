// Uploaded media bytes are deleted once no message needs them any more: the message is done and
// was last updated longer ago than MEDIA_RETENTION_DAYS. Waiting messages keep theirs however old,
// and a failed message whose bytes went cannot be retried: the retry is refused at once, saying
// why, instead of being accepted and failing again. Real service, real emulator, real database.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAllSentMedia } from '../../src/db/repositories/media.repository.js';
import { requeueFailed } from '../../src/db/repositories/message.repository.js';
import { whatsappMedia, whatsappMessage } from '../../src/db/schema/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
/** The account-safety pause trips at this many failed clients (pause-sending.ts). */
const PAUSE_FAILURES = 2;
beforeAll(async () => {
  service = await startTestService({
    env: {
      PACING_MODE: 'on',
      PACING_GAP_FLOOR_MS: '50',
      PACING_GAP_MIN_MS: '50',
      PACING_GAP_MAX_MS: '100',
      PACING_PAUSE_FAILURES: String(PAUSE_FAILURES),
    },
  });
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

  it('a failed message whose bytes went is not retried: the retry is refused, and pauses nothing', async () => {
    // Retried one by one, each went back to the queue (202), failed again at the worker, and
    // counted as a failure of the WhatsApp account: a few such retries paused all of Ana's sends.
    const ids: string[] = [];
    for (let i = 0; i < PAUSE_FAILURES + 1; i++) {
      const id = await sentUpload(ana, `+3461200071${i}`);
      await age(id, 40, 'failed');
      ids.push(id);
    }
    await service.database.db
      .update(whatsappMessage)
      .set({ errorCode: 'gateway_error', errorMessage: 'Gave up after 5 attempts' })
      .where(
        sql`${whatsappMessage.id} in (${sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
    expect(await pruneAllSentMedia(service.database.db, new Date(Date.now() - 30 * DAY))).toBe(ids.length);

    for (const id of ids) {
      const retry = await ana.client.post(`/api/whatsapp/messages/${id}/retry`, {});
      expect(retry.status).toBe(409);
      expect(retry.body.error).toMatchObject({
        code: 'state_conflict',
        message:
          'The file of this message is no longer kept (uploads are deleted 30 days after their message is done): send it again as a new message.',
        details: { status: 'failed', reason: 'media_deleted' },
      });
      // The message is as it was: failed for its own reason, no new attempt, no audit entry.
      const after = (await ana.client.get(`/api/whatsapp/messages/${id}`)).body;
      expect(after).toMatchObject({
        status: 'failed',
        error: { code: 'gateway_error', message: 'Gave up after 5 attempts' },
      });
    }
    const audit = (await ana.client.get('/api/whatsapp/audit?limit=200')).body.items as { action: string }[];
    expect(audit.filter((e) => e.action === 'message.retry')).toEqual([]);
    // Sending is not paused: the next message goes out.
    expect((await ana.client.get('/api/whatsapp/config')).body.alert).toBeNull();
    const next = await ana.client.post('/api/whatsapp/send', { to: '+34612000719', text: 'hola' });
    await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${next.body.message.id}`),
      (r) => r.body.sentAt !== null,
      { what: 'the next message sent' },
    );
  });

  it('a retry that raced with the prune fails for want of the file, and pauses nothing', async () => {
    // The retry found the bytes, and the prune, already running, deleted them before the message
    // was queued again: the worker finds them gone. That failure used to count towards the
    // account-safety pause as if WhatsApp had refused the send.
    const ids: string[] = [];
    for (let i = 0; i < PAUSE_FAILURES + 1; i++) {
      const id = await sentUpload(bea, `+3461200073${i}`);
      await age(id, 40, 'failed');
      ids.push(id);
    }
    expect(await pruneAllSentMedia(service.database.db, new Date(Date.now() - 30 * DAY))).toBe(ids.length);
    for (const id of ids) {
      await service.database.db.transaction((tx) => requeueFailed(tx, bea.userId, id));
      await service.runtime.messages.requeue({
        id,
        advisorId: bea.userId,
        scheduledAt: null,
        timeCritical: false,
      });
      const after = await waitFor(
        () => bea.client.get(`/api/whatsapp/messages/${id}`),
        (r) => r.body.status === 'failed',
        { what: `${id} failed again` },
      );
      expect(after.body.error).toEqual({
        code: 'bad_request',
        message: 'The media for this message is no longer available.',
      });
    }
    expect((await bea.client.get('/api/whatsapp/config')).body.alert).toBeNull();
    const next = await bea.client.post('/api/whatsapp/send', { to: '+34612000739', text: 'hola' });
    await waitFor(
      () => bea.client.get(`/api/whatsapp/messages/${next.body.message.id}`),
      (r) => r.body.sentAt !== null,
      { what: 'the next message sent' },
    );
  });

  it('a failed message whose bytes are kept is retried as before', async () => {
    const id = await sentUpload(bea, '+34612000720');
    await age(id, 10, 'failed');
    expect(await pruneAllSentMedia(service.database.db, new Date(Date.now() - 30 * DAY))).toBe(0);
    const retry = await bea.client.post(`/api/whatsapp/messages/${id}/retry`, {});
    expect(retry.status).toBe(202);
    await waitFor(
      () => bea.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.status === 'read',
      { what: 'the retried upload read' },
    );
  });
});
