// A change of the advisor's name racing with what reads or writes that name in planned messages.
// better-auth commits the name (and, by a trigger, the change's mark: migration 0024) in its own
// transaction; the render right after (rename-plans.ts) is a second one. Between the two:
// - a booking that read the old name and commits after the render looked for planned messages
//   would keep it for good; the render's exclusive template lock makes it wait for the booking;
// - a second change of name while the first render runs could be lost if that render took the
//   second change's mark after reading the first name; it deletes the mark, holding its row, before
//   it reads the name, so a later change's mark waits for it and is written again for the next
//   render. Through better-auth the second change does not even get that far: the check of the
//   new name before it is saved (assertPlansRenderWithName) waits for the template lock too.
// As in template-lock-race.test.ts, each interleaving is forced with a row lock held from another
// session and the waiting party seen in pg_stat_activity (test/support/pg-locks.ts).
//
// PostgreSQL only: PGlite has one connection, so one transaction at a time and no race to lose.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlight, lockRace, type LockRace } from '../support/pg-locks.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  ageNameChangeMark,
  auditOf,
  booking,
  bookingAdvisor,
  messageRow,
  nameChangeMarks,
  onlyOne,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) console.log('rename-race: skipped on PGlite (set DATABASE_URL to run it)');

let service: TestService;
let race: LockRace;
beforeAll(async () => {
  if (!onPostgres) return;
  // A short sweep, for the mark an operator's change of name leaves to the sweeper.
  service = await startTestService({ env: { SWEEPER_INTERVAL_MS: '1000' } });
  race = await lockRace(service);
});
afterAll(async () => {
  await race?.close();
  await service?.close();
});

const SENT = ['sent', 'delivered', 'read'];

/** The name as stored, whatever any session's cache says. */
async function storedName(advisorId: string): Promise<string> {
  const rows = await service.database.db.execute(sql`select name from "user" where id = ${advisorId}`);
  return (rows as unknown as { rows: { name: string }[] }).rows[0]!.name;
}

const rename = (advisor: BookingAdvisor, name: string) =>
  advisor.client.post('/api/auth/update-user', { name });

/** The follow-up signs with the advisor's name on a line of its own (the built-in template). */
const signedBy = (text: string, from: string, to: string) => text.replace(`\n${from}\n`, `\n${to}\n`);

/** A booking whose confirmation has gone out: its follow-up is the one message a render rewrites. */
async function bookedFollowUp(advisor: BookingAdvisor): Promise<{ id: string; text: string }> {
  const res = await advisor.api.post('/api/appointments', booking({ address: 'Calle Mayor 1' }));
  expect(res.status).toBe(201);
  await waitForStatus(advisor, onlyOne(res.body.messages, 'confirmation').id, SENT);
  const followUp = onlyOne(res.body.messages, 'follow_up');
  expect(followUp.status).toBe('scheduled');
  return followUp;
}

/** The texts the renders wrote into the message, newest first. */
async function rerenderedTexts(advisor: BookingAdvisor, messageId: string): Promise<string[]> {
  return (await auditOf(advisor, messageId))
    .filter((e) => e.action === 'message.rerender')
    .map((e) => e.content.text as string);
}

describe.skipIf(!onPostgres)('a change of name racing (PostgreSQL)', () => {
  it('a render that comes while a booking holds the lock waits, and rewrites what it planned with the new name', async () => {
    const ana = await bookingAdvisor(service, 'Ana');
    const body = booking({ clientName: 'Lucía', address: 'Calle Mayor 1' });
    // An inbound message from this new client being recorded: the booking's write of the client
    // row waits for it, the advisor's name already read (loadAppointmentAdvisor).
    const held = await race.holdRow(
      'insert into whatsapp_client (advisor_id, phone, name) values ($1, $2, $3)',
      [ana.userId, body.clientPhone, 'Lucía'],
    );
    try {
      const booked = inFlight(ana.api.post('/api/appointments', body));
      await race.untilWaitingForRow('the booking writing the client row');
      const renaming = inFlight(rename(ana, 'Ana Gómez'));
      await race.untilAnsweredOrStopped(renaming, 'the render after the change of name');
      const waits = await race.lockWaits();
      // better-auth's part is done: only the render is left.
      expect(await storedName(ana.userId)).toBe('Ana Gómez');
      await held.release();

      const res = await booked.answer;
      expect(res.status).toBe(201);
      // What the booking wrote: the name it read.
      const followUp = onlyOne(res.body.messages, 'follow_up');
      expect(followUp.text).toContain('\nAna\n');
      expect((await renaming.answer).status).toBe(200);
      expect((await messageRow(service, followUp.id)).text).toBe(signedBy(followUp.text, 'Ana', 'Ana Gómez'));
      expect(await nameChangeMarks(service, ana.userId)).toBe(0);
      // The render had waited for the template lock, not answered before the booking committed.
      expect(waits).toContain('advisory');
    } finally {
      await held.release();
    }
  });

  it('a second change of name that comes while a render holds the lock waits, and its name is the one planned', async () => {
    const bea = await bookingAdvisor(service, 'Bea');
    const followUp = await bookedFollowUp(bea);
    const held = await race.holdMessage(followUp.id);
    try {
      // The first render has the lock, the mark taken and the name read; it stops at rewriting
      // the held follow-up, before its commit. The second change's check then waits for the lock;
      // were it not to, its write would wait for the mark's row (the operator's case, below).
      const first = inFlight(rename(bea, 'Bea Uno'));
      await race.untilWaitingForRow('the first render rewriting the held follow-up');
      expect(await storedName(bea.userId)).toBe('Bea Uno');
      const second = inFlight(rename(bea, 'Bea Dos'));
      await race.untilAnsweredOrStopped(second, 'the second change of name');
      await held.release();

      expect((await first.answer).status).toBe(200);
      expect((await second.answer).status).toBe(200);
      expect(await storedName(bea.userId)).toBe('Bea Dos');
      expect((await messageRow(service, followUp.id)).text).toBe(signedBy(followUp.text, 'Bea', 'Bea Dos'));
      expect(await nameChangeMarks(service, bea.userId)).toBe(0);
      // Each render wrote the name it read, the second after the first.
      expect(await rerenderedTexts(bea, followUp.id)).toEqual([
        signedBy(followUp.text, 'Bea', 'Bea Dos'),
        signedBy(followUp.text, 'Bea', 'Bea Uno'),
      ]);
    } finally {
      await held.release();
    }
  });

  it("an operator's change of name while a render holds the mark waits, and leaves a mark of its own", async () => {
    const cora = await bookingAdvisor(service, 'Cora');
    const followUp = await bookedFollowUp(cora);
    const held = await race.holdMessage(followUp.id);
    const operator = await race.connect();
    try {
      const first = inFlight(rename(cora, 'Cora Uno'));
      await race.untilWaitingForRow('the render rewriting the held follow-up');
      // No check before this write, so no template lock: only the mark's row can stop it, which
      // the render deleted before it read the name.
      const second = inFlight(
        operator.query('update "user" set name = $1 where id = $2', ['Cora Dos', cora.userId]),
      );
      await race.untilAnsweredOrStopped(second, "the operator's change of name");
      await held.release();

      expect((await first.answer).status).toBe(200);
      expect((await second.answer).rowCount).toBe(1);
      expect(await storedName(cora.userId)).toBe('Cora Dos');
      // The render wrote the name it read, and left the later change's mark for another render.
      expect((await messageRow(service, followUp.id)).text).toBe(signedBy(followUp.text, 'Cora', 'Cora Uno'));
      expect(await nameChangeMarks(service, cora.userId)).toBe(1);

      await ageNameChangeMark(service, cora.userId);
      const expected = signedBy(followUp.text, 'Cora', 'Cora Dos');
      await waitFor(
        async () => (await messageRow(service, followUp.id)).text,
        (text) => text === expected,
        { timeoutMs: 15_000, what: 'the sweeper rendering the second name' },
      );
      expect(await nameChangeMarks(service, cora.userId)).toBe(0);
    } finally {
      await held.release();
      await operator.end();
    }
  });
});
