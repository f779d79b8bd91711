import { describe, expect, it } from 'vitest';
import type { AppointmentRow } from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import { buildTimeline } from './appointment-timeline.js';

const appointment = { createdAt: new Date('2026-11-30T10:00:00.000Z') } as AppointmentRow;

function message(fields: Partial<MessageRow>): MessageRow {
  return {
    id: 'm1',
    purpose: 'reminder',
    status: 'scheduled',
    scheduledAt: null,
    errorCode: null,
    errorMessage: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    repliedAt: null,
    failedAt: null,
    ...fields,
  } as MessageRow;
}

describe('buildTimeline', () => {
  it('never puts what happened to a message before its planning, whatever the clocks say', () => {
    // Written as skipped in one statement: created_at rounded up to the millisecond, updated_at
    // (microseconds, read as milliseconds) 0.5 ms earlier. This ordering failed once in CI.
    const skipped = message({
      status: 'skipped',
      errorCode: 'reminder_time_passed',
      errorMessage: 'skipped',
      createdAt: new Date('2026-11-30T10:00:00.346Z'),
      updatedAt: new Date('2026-11-30T10:00:00.345Z'),
    });
    const timeline = buildTimeline(appointment, [skipped], []);
    expect(timeline.map((e) => e.type)).toEqual(['booked', 'planned', 'skipped']);
    expect(timeline[2]!.at).toEqual(skipped.createdAt);
  });

  it('keeps real times when they come after the planning', () => {
    const sent = message({
      status: 'read',
      createdAt: new Date('2026-11-30T10:00:01.000Z'),
      updatedAt: new Date('2026-11-30T10:00:09.000Z'),
      sentAt: new Date('2026-11-30T10:00:02.000Z'),
      readAt: new Date('2026-11-30T10:00:05.000Z'),
    });
    const timeline = buildTimeline(appointment, [sent], []);
    expect(timeline.map((e) => [e.type, e.at.toISOString()])).toEqual([
      ['booked', '2026-11-30T10:00:00.000Z'],
      ['planned', '2026-11-30T10:00:01.000Z'],
      ['sent', '2026-11-30T10:00:02.000Z'],
      ['read', '2026-11-30T10:00:05.000Z'],
    ]);
  });
});
