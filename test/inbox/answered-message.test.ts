// Which outbound message a client's reply answers (response-time metrics, the appointment
// timeline's "answered"): the one most recently SENT to that number before the reply arrived.
// A booking writes its confirmation, reminder and follow-up in one statement, days before the
// reminder goes out, so the order they were created in says nothing about what the client saw last.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markLatestOutboundReplied, markMessageReplied } from '../../src/db/repositories/inbox.repository.js';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAdvisor } from '../templates/db-fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

const phone = '+34612345678';
const at = (iso: string) => new Date(`2026-12-0${iso}Z`);

async function outbound(advisorId: string, text: string, createdAt: Date, sentAt: Date | null) {
  const [row] = await database.db
    .insert(whatsappMessage)
    .values({
      advisorId,
      direction: 'outbound',
      phone,
      text,
      status: sentAt ? 'sent' : 'scheduled',
      createdAt,
      sentAt,
    })
    .returning({ id: whatsappMessage.id });
  return row!.id;
}

async function repliedAtOf(id: string) {
  const [row] = await database.db
    .select({ repliedAt: whatsappMessage.repliedAt })
    .from(whatsappMessage)
    .where(eq(whatsappMessage.id, id));
  return row!.repliedAt;
}

describe('the message a reply answers', () => {
  it('is the last one sent before the reply, not the last one created', async () => {
    const advisor = await createAdvisor(database.db);
    const booked = at('1T09:00:00');
    // Booking: all three rows written at once; the confirmation goes out at once.
    const confirmation = await outbound(advisor, 'confirmación', booked, at('1T09:00:01'));
    const reminder = await outbound(advisor, 'recordatorio', booked, at('4T09:00:00'));
    const followUp = await outbound(advisor, 'seguimiento', booked, null);
    // A manual message written later than the booking but sent before the reminder.
    const manual = await outbound(advisor, 'manual', at('2T12:00:00'), at('2T12:00:00'));

    await markLatestOutboundReplied(database.db, advisor, phone, at('4T09:30:00'));

    expect(await repliedAtOf(reminder)).toEqual(at('4T09:30:00'));
    for (const id of [confirmation, followUp, manual]) expect(await repliedAtOf(id)).toBeNull();
  });

  it('ignores messages sent after the reply arrived', async () => {
    const advisor = await createAdvisor(database.db);
    const first = await outbound(advisor, 'primero', at('1T10:00:00'), at('1T10:00:00'));
    const later = await outbound(advisor, 'después', at('1T10:00:00'), at('1T11:00:00'));
    await markLatestOutboundReplied(database.db, advisor, phone, at('1T10:30:00'));
    expect(await repliedAtOf(first)).toEqual(at('1T10:30:00'));
    expect(await repliedAtOf(later)).toBeNull();
  });

  // A webhook batch applies its events in parallel lanes, and an event that fails is retried
  // later, so a client's second message can be applied before their first. The first reply (by
  // arrival) stays the one the message answers: the later one used to win when applied first,
  // and the metrics' time to reply ran to the client's second message.
  it('is the first reply by arrival, whichever is applied first', async () => {
    const advisor = await createAdvisor(database.db);
    const sent = await outbound(advisor, 'hola', at('1T10:00:00'), at('1T10:00:00'));
    await markLatestOutboundReplied(database.db, advisor, phone, at('1T10:05:00'));
    await markLatestOutboundReplied(database.db, advisor, phone, at('1T10:01:00'));
    expect(await repliedAtOf(sent)).toEqual(at('1T10:01:00'));
    await markLatestOutboundReplied(database.db, advisor, phone, at('1T10:03:00'));
    expect(await repliedAtOf(sent)).toEqual(at('1T10:01:00'));

    const quoted = await outbound(advisor, 'cita', at('1T11:00:00'), at('1T11:00:00'));
    await markMessageReplied(database.db, advisor, quoted, at('1T11:05:00'));
    await markMessageReplied(database.db, advisor, quoted, at('1T11:01:00'));
    await markMessageReplied(database.db, advisor, quoted, at('1T11:03:00'));
    expect(await repliedAtOf(quoted)).toEqual(at('1T11:01:00'));
  });
});
