// The planner's rules with fixed instants: offsets, late reminders, quiet hours (over midnight,
// pushing past the start), and both daylight-saving changes in Madrid and New York.
// Madrid 2026: clocks jump 02:00 → 03:00 on 29 March (01:00Z) and fall 03:00 → 02:00 on 25 October
// (01:00Z). New York 2026: 8 March 02:00 → 03:00 (07:00Z), 1 November 02:00 → 01:00 (06:00Z).
import { describe, expect, it } from 'vitest';
import {
  planAppointmentMessage,
  planAppointmentMessages,
  type PlanSettings,
  type PlannedMessage,
} from './plan-appointment-messages.js';

const MADRID = 'Europe/Madrid';
const settings = (over: Partial<PlanSettings> = {}): PlanSettings => ({
  reminderOffsetMinutes: 1440,
  followUpDelayMinutes: 120,
  lateReminder: 'send_now',
  quietHours: { start: '21:00', end: '08:00' },
  ...over,
});
const d = (iso: string) => new Date(iso);
const iso = (p: PlannedMessage) =>
  p.action === 'send' ? (p.at?.toISOString() ?? 'now') : `skip:${p.reason.code}`;

describe('planAppointmentMessages: the basic schedule', () => {
  const appt = {
    startsAt: d('2026-06-10T10:00:00+02:00'),
    endsAt: d('2026-06-10T11:00:00+02:00'),
    timezone: MADRID,
  };
  const now = d('2026-06-01T12:00:00Z');

  it('confirms at once, reminds the day before at the same time, follows up after the end', () => {
    const [confirmation, reminder, followUp] = planAppointmentMessages(
      ['confirmation', 'reminder', 'follow_up'],
      appt,
      settings(),
      now,
    );
    expect(confirmation).toEqual({
      kind: 'confirmation',
      action: 'send',
      at: null,
      dueAt: now,
      adjustment: null,
    });
    expect(reminder).toMatchObject({ action: 'send', at: d('2026-06-09T08:00:00Z'), adjustment: null });
    expect(followUp).toMatchObject({ action: 'send', at: d('2026-06-10T11:00:00Z'), adjustment: null });
  });

  it('follows up from the start when there is no end time', () => {
    const p = planAppointmentMessage(
      'follow_up',
      { ...appt, endsAt: null },
      settings({ followUpDelayMinutes: 30 }),
      now,
    );
    expect(iso(p)).toBe('2026-06-10T08:30:00.000Z');
  });

  it('uses exact durations for offsets that are not whole days', () => {
    const p = planAppointmentMessage('reminder', appt, settings({ reminderOffsetMinutes: 90 }), now);
    expect(iso(p)).toBe('2026-06-10T06:30:00.000Z');
    const zero = planAppointmentMessage('reminder', appt, settings({ reminderOffsetMinutes: 0 }), now);
    expect(iso(zero)).toBe('2026-06-10T08:00:00.000Z');
  });

  it('counts multi-day offsets in calendar days', () => {
    const p = planAppointmentMessage('reminder', appt, settings({ reminderOffsetMinutes: 2 * 1440 }), now);
    expect(iso(p)).toBe('2026-06-08T08:00:00.000Z');
  });
});

describe('late reminders (booked less than the offset ahead)', () => {
  const appt = { startsAt: d('2026-06-10T18:00:00+02:00'), endsAt: null, timezone: MADRID };
  const now = d('2026-06-10T09:00:00+02:00');

  it('are skipped with reminder_time_passed when the setting says skip', () => {
    const p = planAppointmentMessage('reminder', appt, settings({ lateReminder: 'skip' }), now);
    expect(p).toMatchObject({ action: 'skip', reason: { code: 'reminder_time_passed' } });
    expect(p.dueAt).toEqual(d('2026-06-09T16:00:00Z'));
  });

  it('go out at once when the setting says send_now', () => {
    const p = planAppointmentMessage('reminder', appt, settings({ lateReminder: 'send_now' }), now);
    expect(p).toMatchObject({ action: 'send', at: null, adjustment: 'late_sent_now' });
  });

  it('sent "now" still respect quiet hours', () => {
    const night = d('2026-06-09T23:30:00+02:00');
    const p = planAppointmentMessage(
      'reminder',
      { ...appt, startsAt: d('2026-06-10T10:00:00+02:00') },
      settings(),
      night,
    );
    expect(p).toMatchObject({
      action: 'send',
      at: d('2026-06-10T06:00:00Z'),
      adjustment: 'moved_out_of_quiet_hours',
    });
  });

  it('are skipped for quiet_hours when no allowed minute is left before the start', () => {
    const night = d('2026-06-09T23:30:00+02:00');
    const p = planAppointmentMessage(
      'reminder',
      { ...appt, startsAt: d('2026-06-10T07:30:00+02:00') },
      settings(),
      night,
    );
    expect(p).toMatchObject({ action: 'skip', reason: { code: 'quiet_hours' } });
  });

  it('never remind, confirm or announce an appointment that has already started', () => {
    const started = { ...appt, startsAt: d('2026-06-10T08:00:00+02:00') };
    expect(iso(planAppointmentMessage('reminder', started, settings(), now))).toBe(
      'skip:reminder_time_passed',
    );
    expect(iso(planAppointmentMessage('confirmation', started, settings(), now))).toBe(
      'skip:appointment_in_past',
    );
    expect(iso(planAppointmentMessage('rescheduled', started, settings(), now))).toBe(
      'skip:appointment_in_past',
    );
    // The follow-up is still ahead (08:00 + 2 h = 10:00 local), so it stays planned.
    expect(iso(planAppointmentMessage('follow_up', started, settings(), now))).toBe(
      '2026-06-10T08:00:00.000Z',
    );
  });

  it('skip a follow-up whose time has passed', () => {
    const past = { ...appt, startsAt: d('2026-06-10T06:00:00+02:00') };
    expect(iso(planAppointmentMessage('follow_up', past, settings(), now))).toBe(
      'skip:follow_up_time_passed',
    );
  });
});

describe('quiet hours', () => {
  const now = d('2026-06-01T12:00:00Z');

  it('move a reminder inside a window that spans midnight to the window end', () => {
    const appt = { startsAt: d('2026-06-10T08:30:00+02:00'), endsAt: null, timezone: MADRID };
    const p = planAppointmentMessage('reminder', appt, settings({ reminderOffsetMinutes: 60 }), now);
    expect(p).toMatchObject({
      at: d('2026-06-10T06:00:00Z'),
      dueAt: d('2026-06-10T05:30:00Z'),
      adjustment: 'moved_out_of_quiet_hours',
    });
  });

  it('move it before the window when the window end is the start itself', () => {
    const appt = { startsAt: d('2026-06-10T08:00:00+02:00'), endsAt: null, timezone: MADRID };
    const p = planAppointmentMessage('reminder', appt, settings({ reminderOffsetMinutes: 60 }), now);
    expect(p).toMatchObject({ at: d('2026-06-09T18:59:00Z'), adjustment: 'moved_before_quiet_hours' });
  });

  it('move a late-evening follow-up to the next morning', () => {
    const appt = {
      startsAt: d('2026-06-10T19:30:00+02:00'),
      endsAt: d('2026-06-10T20:30:00+02:00'),
      timezone: MADRID,
    };
    const p = planAppointmentMessage('follow_up', appt, settings(), now);
    expect(p).toMatchObject({ at: d('2026-06-11T06:00:00Z'), adjustment: 'moved_out_of_quiet_hours' });
  });

  it('leave times outside the window alone, window end excluded and start included', () => {
    const q = settings({ reminderOffsetMinutes: 0, followUpDelayMinutes: 0 });
    const at = (local: string) =>
      iso(
        planAppointmentMessage('follow_up', { startsAt: d(local), endsAt: null, timezone: MADRID }, q, now),
      );
    expect(at('2026-06-10T08:00:00+02:00')).toBe('2026-06-10T06:00:00.000Z');
    expect(at('2026-06-10T20:59:00+02:00')).toBe('2026-06-10T18:59:00.000Z');
    expect(at('2026-06-10T21:00:00+02:00')).toBe('2026-06-11T06:00:00.000Z');
    expect(at('2026-06-11T00:15:00+02:00')).toBe('2026-06-11T06:00:00.000Z');
  });

  it('support a window within one day, and none at all', () => {
    const appt = { startsAt: d('2026-06-10T14:00:00+02:00'), endsAt: null, timezone: MADRID };
    const lunch = settings({ quietHours: { start: '13:00', end: '15:00' }, followUpDelayMinutes: 0 });
    expect(iso(planAppointmentMessage('follow_up', appt, lunch, now))).toBe('2026-06-10T13:00:00.000Z');
    const none = settings({ quietHours: null, followUpDelayMinutes: 0 });
    expect(iso(planAppointmentMessage('follow_up', appt, none, now))).toBe('2026-06-10T12:00:00.000Z');
    const empty = settings({ quietHours: { start: '10:00', end: '10:00' }, followUpDelayMinutes: 0 });
    expect(iso(planAppointmentMessage('follow_up', appt, empty, now))).toBe('2026-06-10T12:00:00.000Z');
  });

  it("are counted in the appointment's (client's) zone, not UTC or the advisor's", () => {
    // 09:00 in Madrid is 01:00 in Mexico City: quiet there, so the reminder waits for 08:00 local.
    const appt = { startsAt: d('2026-06-10T16:00:00Z'), endsAt: null, timezone: 'America/Mexico_City' };
    const p = planAppointmentMessage('reminder', appt, settings({ reminderOffsetMinutes: 9 * 60 }), now);
    expect(p.dueAt).toEqual(d('2026-06-10T07:00:00Z'));
    expect(iso(p)).toBe('2026-06-10T14:00:00.000Z');
  });

  it('do not hold back confirmations or rescheduled notices', () => {
    const night = d('2026-06-09T23:30:00+02:00');
    const appt = { startsAt: d('2026-06-12T10:00:00+02:00'), endsAt: null, timezone: MADRID };
    expect(iso(planAppointmentMessage('confirmation', appt, settings(), night))).toBe('now');
    expect(iso(planAppointmentMessage('rescheduled', appt, settings(), night))).toBe('now');
  });
});

describe('daylight-saving changes', () => {
  const now = d('2026-01-01T00:00:00Z');
  const noQuiet = settings({ quietHours: null });

  it('spring forward: the day-before reminder keeps its wall time (23 h earlier, not 24)', () => {
    const appt = { startsAt: d('2026-03-29T10:00:00+02:00'), endsAt: null, timezone: MADRID };
    const p = planAppointmentMessage('reminder', appt, noQuiet, now);
    expect(iso(p)).toBe('2026-03-28T09:00:00.000Z'); // 10:00 +01:00 on Saturday
  });

  it('fall back: the day-before reminder keeps its wall time (25 h earlier)', () => {
    const appt = { startsAt: d('2026-10-25T10:00:00+01:00'), endsAt: null, timezone: MADRID };
    expect(iso(planAppointmentMessage('reminder', appt, noQuiet, now))).toBe('2026-10-24T08:00:00.000Z');
  });

  it('exact-duration offsets ignore the change', () => {
    const appt = { startsAt: d('2026-03-29T03:30:00+02:00'), endsAt: null, timezone: MADRID };
    const p = planAppointmentMessage(
      'reminder',
      appt,
      settings({ quietHours: null, reminderOffsetMinutes: 120 }),
      now,
    );
    expect(iso(p)).toBe('2026-03-28T23:30:00.000Z'); // 00:30 +01:00: two real hours before 01:30Z
  });

  it('a day-before time that does not exist (skipped hour) is the moment the clocks jump', () => {
    // Monday 30 March 02:30; Sunday 02:30 never happens in Madrid: the jump to 03:00 (01:00Z).
    const appt = { startsAt: d('2026-03-30T02:30:00+02:00'), endsAt: null, timezone: MADRID };
    expect(iso(planAppointmentMessage('reminder', appt, noQuiet, now))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('a day-before time that happens twice (repeated hour) is its first occurrence', () => {
    const appt = { startsAt: d('2026-10-26T02:30:00+01:00'), endsAt: null, timezone: MADRID };
    expect(iso(planAppointmentMessage('reminder', appt, noQuiet, now))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('a quiet window ending inside the skipped hour ends when the clocks jump', () => {
    const q = settings({ quietHours: { start: '21:00', end: '02:30' }, followUpDelayMinutes: 0 });
    const appt = { startsAt: d('2026-03-29T01:00:00+01:00'), endsAt: null, timezone: MADRID };
    expect(iso(planAppointmentMessage('follow_up', appt, q, now))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('a quiet window ending inside the repeated hour ends at its first occurrence', () => {
    const q = settings({ quietHours: { start: '21:00', end: '02:30' }, followUpDelayMinutes: 0 });
    const plan = (instant: string) =>
      iso(
        planAppointmentMessage('follow_up', { startsAt: d(instant), endsAt: null, timezone: MADRID }, q, now),
      );
    // 02:10 the first time (+02:00) is quiet until the first 02:30 …
    expect(plan('2026-10-25T00:10:00Z')).toBe('2026-10-25T00:30:00.000Z');
    // … and 02:10 the second time (+01:00) is already after the window.
    expect(plan('2026-10-25T01:10:00Z')).toBe('2026-10-25T01:10:00.000Z');
  });

  it('works the same in New York (March and November changes)', () => {
    const ny = 'America/New_York';
    const march = { startsAt: d('2026-03-08T09:00:00-04:00'), endsAt: null, timezone: ny };
    expect(iso(planAppointmentMessage('reminder', march, noQuiet, now))).toBe('2026-03-07T14:00:00.000Z');
    const nov = { startsAt: d('2026-11-01T09:00:00-05:00'), endsAt: null, timezone: ny };
    expect(iso(planAppointmentMessage('reminder', nov, noQuiet, now))).toBe('2026-10-31T13:00:00.000Z');
    // Quiet hours 21:00–08:00 on the night of the fall-back change: 01:30 (either time) waits for 08:00 EST.
    const q = settings({ followUpDelayMinutes: 0 });
    const late = { startsAt: d('2026-11-01T06:30:00Z'), endsAt: null, timezone: ny };
    expect(iso(planAppointmentMessage('follow_up', late, q, now))).toBe('2026-11-01T13:00:00.000Z');
  });
});
