// GET /api/appointments/:externalId → `timeline`: one appointment's story, oldest first, built
// from what really happened: the booking, every message planned (for when), sent, delivered and
// read (the emulator's own receipt webhooks), the client's answer, skips with their reason, a
// reschedule with what it replaced, a cancellation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  booking,
  bookingAdvisor,
  detail,
  inSeconds,
  onlyOne,
  setSettings,
  waitForStatus,
  type BookingAdvisor,
} from './support.js';

let service: TestService;
let ana: BookingAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { RECONNECT_POLL_MS: '200' } });
  ana = await bookingAdvisor(service, 'Ana', { reminderOffsetMinutes: 1 });
});
afterAll(async () => {
  await service?.close();
});

type Event = {
  at: string;
  type: string;
  messageId: string | null;
  purpose: string | null;
  scheduledAt: string | null;
  reason: { code: string; message: string } | null;
  detail: Record<string, any> | null;
};

const about = (timeline: Event[], messageId: string) => timeline.filter((e) => e.messageId === messageId);
const typesOf = (timeline: Event[], messageId: string) => about(timeline, messageId).map((e) => e.type);
const ofType = (timeline: Event[], type: string) => timeline.filter((e) => e.type === type);
const expectOldestFirst = (timeline: Event[]) => {
  const at = timeline.map((e) => Date.parse(e.at));
  expect(at).toEqual([...at].sort((a, b) => a - b));
};

describe('the appointment timeline', () => {
  it("tells the messages' story from the real receipts, and the client's answer to the reminder", async () => {
    // Starts in 68 s; with a one-minute offset the reminder is due in 8 s. (Due in 2 s, a loaded CI
    // machine took more than the second of slack between planning and writing it, and the
    // reminder was stored as "now", with no scheduled time for the plan to match.)
    const body = booking({ startsAt: inSeconds(68).toISOString() });
    const booked = await ana.api.post('/api/appointments', body);
    const confirmation = onlyOne(booked.body.messages, 'confirmation');
    const reminder = onlyOne(booked.body.messages, 'reminder');
    const followUp = onlyOne(booked.body.messages, 'follow_up');
    // The emulator acknowledges, delivers and reads each message through its webhooks.
    await waitForStatus(ana, confirmation.id, ['read']);
    await waitForStatus(ana, reminder.id, ['read'], 30_000);
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from: body.clientPhone,
      text: '1',
    });
    const { appointment, timeline } = await waitFor(
      () => detail(ana, body.externalId),
      (d) => d.appointment.clientResponse === 'confirmed' && ofType(d.timeline, 'answered').length > 0,
      { what: "the client's answer in the timeline" },
    );

    expectOldestFirst(timeline);
    expect(timeline[0]).toMatchObject({ type: 'booked', messageId: null });
    expect(timeline[0].detail).toMatchObject({
      actor: 'api_key',
      startsAt: body.startsAt,
      timezone: 'Europe/Madrid',
      plan: [
        { kind: 'confirmation', at: 'now' },
        { kind: 'reminder', at: reminder.scheduledAt },
        { kind: 'follow_up', at: followUp.scheduledAt },
      ],
    });

    expect(typesOf(timeline, confirmation.id)).toEqual(
      expect.arrayContaining(['planned', 'sent', 'delivered', 'read']),
    );
    expect(typesOf(timeline, reminder.id).filter((t) => t !== 'answered')).toEqual([
      'planned',
      'sent',
      'delivered',
      'read',
    ]);
    const planned = about(timeline, reminder.id)[0]!;
    expect(planned).toMatchObject({ purpose: 'reminder', scheduledAt: reminder.scheduledAt, reason: null });
    const sent = about(timeline, reminder.id).find((e) => e.type === 'sent')!;
    expect(Date.parse(sent.at)).toBeGreaterThanOrEqual(Date.parse(reminder.scheduledAt));
    expect(about(timeline, confirmation.id)[0]).toMatchObject({ type: 'planned', scheduledAt: null });
    // The follow-up is still waiting: planned for after the session, nothing else yet.
    expect(about(timeline, followUp.id)).toEqual([
      expect.objectContaining({ type: 'planned', purpose: 'follow_up', scheduledAt: followUp.scheduledAt }),
    ]);

    // The "1" answered the message sent last (the reminder, written with the confirmation in
    // one statement but sent after it) and confirmed the appointment.
    const answered = ofType(timeline, 'answered');
    expect(answered).toHaveLength(1);
    expect(answered[0]!.messageId).toBe(reminder.id);
    expect(ofType(timeline, 'client_response')).toEqual([
      expect.objectContaining({ at: appointment.clientResponseAt, detail: { response: 'confirmed' } }),
    ]);
  }, 60_000);

  // Failed once in CI (2026-11-30): the skipped entry sorted before the planned one, by half a
  // millisecond of rounding; appointment-timeline.test.ts pins that case.
  it('records a skipped reminder with its reason, a reschedule and what it replaced, and a cancellation', async () => {
    await setSettings(ana, { lateReminder: 'skip' });
    try {
      // Starting in 30 s with a one-minute offset: the reminder's time has already passed.
      const body = booking({ startsAt: inSeconds(30).toISOString() });
      const booked = await ana.api.post('/api/appointments', body);
      const lateReminder = onlyOne(booked.body.messages, 'reminder');
      const oldFollowUp = onlyOne(booked.body.messages, 'follow_up');
      await waitForStatus(ana, onlyOne(booked.body.messages, 'confirmation').id, [
        'sent',
        'delivered',
        'read',
      ]);

      const newStart = inSeconds(2 * 86_400).toISOString();
      const path = `/api/appointments/${encodeURIComponent(body.externalId)}`;
      const moved = await ana.api.patch(path, { startsAt: newStart });
      expect(moved.status).toBe(200);
      const fresh = moved.body.messages.filter(
        (m: any) => m.status === 'scheduled' && m.id !== oldFollowUp.id,
      );
      const newReminder = onlyOne(fresh, 'reminder');
      const newFollowUp = onlyOne(fresh, 'follow_up');
      const notice = onlyOne(moved.body.messages, 'rescheduled');
      await waitForStatus(ana, notice.id, ['sent', 'delivered', 'read']);

      const cancelled = await ana.api.post(`${path}/cancel`);
      expect(cancelled.status).toBe(200);
      const { timeline } = await detail(ana, body.externalId);
      expectOldestFirst(timeline);

      expect(about(timeline, lateReminder.id)).toEqual([
        expect.objectContaining({ type: 'planned', scheduledAt: lateReminder.scheduledAt }),
        expect.objectContaining({
          type: 'skipped',
          purpose: 'reminder',
          reason: { code: 'reminder_time_passed', message: expect.stringContaining('skipped') },
        }),
      ]);

      const [rescheduled] = ofType(timeline, 'rescheduled');
      expect(rescheduled!.detail).toMatchObject({
        actor: 'api_key',
        version: 2,
        changed: ['startsAt'],
        from: { startsAt: body.startsAt },
        to: { startsAt: newStart },
      });
      expect(about(timeline, oldFollowUp.id).at(-1)).toMatchObject({
        type: 'message_cancelled',
        reason: { code: 'rescheduled', message: expect.stringContaining('startsAt') },
      });
      expect(Date.parse(about(timeline, oldFollowUp.id).at(-1)!.at)).toBeGreaterThanOrEqual(
        Date.parse(rescheduled!.at) - 1_000,
      );
      expect(about(timeline, newReminder.id)[0]).toMatchObject({
        type: 'planned',
        scheduledAt: new Date(Date.parse(newStart) - 60_000).toISOString(),
      });
      expect(typesOf(timeline, notice.id)).toEqual(expect.arrayContaining(['planned', 'sent']));

      const [cancel] = ofType(timeline, 'cancelled');
      expect(cancel!.detail).toMatchObject({ actor: 'api_key' });
      expect([...cancel!.detail!.cancelledMessages].sort()).toEqual([newReminder.id, newFollowUp.id].sort());
      expect(Date.parse(cancel!.at)).toBeGreaterThanOrEqual(Date.parse(rescheduled!.at));
      for (const id of [newReminder.id, newFollowUp.id]) {
        expect(typesOf(timeline, id)).toEqual(['planned', 'message_cancelled']);
        expect(about(timeline, id)[1]!.reason!.code).toBe('appointment_cancelled');
      }
    } finally {
      await setSettings(ana, { lateReminder: 'send_now' });
    }
  });
});
