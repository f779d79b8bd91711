// A change of the advisor's name reaches the planned appointment messages even when the render
// right after better-auth's write does not happen: the change's mark (a trigger on the name's
// UPDATE, migration 0024) outlives it, and the outbox sweeper renders it. Until 2026-12-07 such a
// failure answered 500 with the name saved, and the planned messages kept the old name until the
// next change of name; a name a planned message could not be written with was saved anyway, that
// message keeping its old words. Both run against the real sweeper (a short SWEEPER_INTERVAL_MS).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import {
  ageNameChangeMark,
  auditOf,
  booking,
  bookingAdvisor,
  messageRow,
  nameChangeMarks,
  onlyOne,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ env: { SWEEPER_INTERVAL_MS: '1000' } });
});
afterAll(async () => {
  await service?.close();
});

const db = () => service.database.db;

async function bookFollowUp(advisor: BookingAdvisor) {
  const res = await advisor.api.post('/api/appointments', booking({ address: 'Calle Mayor 1' }));
  expect(res.status).toBe(201);
  const followUp = onlyOne(res.body.messages, 'follow_up');
  expect(followUp.status).toBe('scheduled');
  return followUp as { id: string; text: string };
}

async function waitForText(id: string, expected: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await messageRow(service, id)).text ?? '';
    if (text === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(text).toBe(expected);
}

const nameOf = async (advisor: BookingAdvisor) =>
  (await advisor.client.get('/api/auth/get-session')).body.user.name as string;

describe('a change of name whose render did not happen', () => {
  it('answers the saved change, and the sweeper renders the planned messages', async () => {
    const hana = await bookingAdvisor(service, 'Hana');
    const followUp = await bookFollowUp(hana);
    expect(followUp.text).toContain('\nHana\n');
    // The database refuses the render's rewrite of this advisor's messages (a real failure of the
    // second transaction, after better-auth's has committed the name).
    expect(hana.userId).toMatch(/^[A-Za-z0-9_-]+$/);
    await db().execute(
      sql.raw(`create function test_refuse_rewrite() returns trigger language plpgsql as $$
        begin raise exception 'rewrite refused for the test'; end $$`),
    );
    await db().execute(
      sql.raw(`create trigger test_refuse_rewrite before update on whatsapp_message for each row
        when (old.advisor_id = '${hana.userId}' and new.text is distinct from old.text)
        execute function test_refuse_rewrite()`),
    );
    try {
      const res = await hana.client.post('/api/auth/update-user', { name: 'Hana Ruiz' });
      expect(res.status).toBe(200);
      expect(await nameOf(hana)).toBe('Hana Ruiz');
      expect((await messageRow(service, followUp.id)).text).toBe(followUp.text);
      expect(await nameChangeMarks(service, hana.userId)).toBe(1);
    } finally {
      await db().execute(sql.raw(`drop trigger test_refuse_rewrite on whatsapp_message`));
      await db().execute(sql.raw(`drop function test_refuse_rewrite()`));
    }

    await ageNameChangeMark(service, hana.userId);
    await waitForText(followUp.id, followUp.text.replace('\nHana\n', '\nHana Ruiz\n'));
    expect(await nameChangeMarks(service, hana.userId)).toBe(0);
    const [entry] = await auditOf(hana, followUp.id);
    expect(entry).toMatchObject({
      action: 'message.rerender',
      actorType: 'automation',
      content: { cause: { action: 'account.update', fields: ['name'] } },
    });
  });

  it('renders a name changed outside better-auth (an operator’s SQL)', async () => {
    const iris = await bookingAdvisor(service, 'Iris');
    const followUp = await bookFollowUp(iris);
    await db().execute(sql`update "user" set name = 'Iris Vega' where id = ${iris.userId}`);
    expect(await nameChangeMarks(service, iris.userId)).toBe(1);
    await ageNameChangeMark(service, iris.userId);
    await waitForText(followUp.id, followUp.text.replace('\nIris\n', '\nIris Vega\n'));
    expect(await nameChangeMarks(service, iris.userId)).toBe(0);
  });

  it('leaves no mark for a call that changes no name', async () => {
    const jana = await bookingAdvisor(service, 'Jana');
    expect((await jana.client.post('/api/auth/update-user', { image: null })).status).toBe(200);
    expect((await jana.client.post('/api/auth/update-user', { name: 'Jana' })).status).toBe(200);
    expect(await nameChangeMarks(service, jana.userId)).toBe(0);
    expect((await jana.client.post('/api/auth/update-user', { name: 'Jana Sol' })).status).toBe(200);
    // Rendered by the route at once: nothing left for the sweeper.
    expect(await nameChangeMarks(service, jana.userId)).toBe(0);
  });
});

describe('a name a planned message could not be written with', () => {
  it('is refused before it is saved, naming the message', async () => {
    const kira = await bookingAdvisor(service, 'Kira');
    // A follow-up within WhatsApp's limit with this name, over it with a longer one.
    const created = await kira.client.post('/api/whatsapp/templates', {
      key: 'follow_up',
      name: 'Long follow-up',
      category: 'follow_up',
      language: 'es',
      body: `${'x'.repeat(3_950)} ${'{nombre_asesor}'.repeat(5)}`,
      overridesBuiltIn: true,
    });
    expect(created.status).toBe(201);
    const followUp = await bookFollowUp(kira);

    const longName = 'Kira '.repeat(8).trim(); // 39 characters, five times: 3,951 + 195 > 4,096
    const res = await kira.client.post('/api/auth/update-user', { name: longName });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain(followUp.id);
    expect(res.body.error.details).toMatchObject({
      messageId: followUp.id,
      fields: [{ field: 'name' }],
    });
    expect(await nameOf(kira)).toBe('Kira');
    expect(await nameChangeMarks(service, kira.userId)).toBe(0);
    expect((await messageRow(service, followUp.id)).text).toBe(followUp.text);

    // A name that fits is saved and rendered.
    expect((await kira.client.post('/api/auth/update-user', { name: 'Kira Paz' })).status).toBe(200);
    expect((await messageRow(service, followUp.id)).text).toBe(followUp.text.replaceAll('Kira', 'Kira Paz'));
  });
});
