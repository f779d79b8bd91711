import { describe, expect, it } from 'vitest';
import { everyDay, metricsRange } from './metrics-range';

describe('metricsRange', () => {
  it("starts at midnight in the advisor's zone, whatever the browser's", () => {
    // 02:30 UTC on 10 March is still 9 March in Mexico City (UTC−6) and already 10 March in Tokyo.
    const now = new Date('2027-03-10T02:30:20Z');
    expect(metricsRange(7, 'America/Mexico_City', now)).toEqual({
      since: '2027-03-03T06:00:00.000Z',
      until: '2027-03-10T02:31:00.000Z',
    });
    expect(metricsRange(7, 'Asia/Tokyo', now).since).toBe('2027-03-03T15:00:00.000Z');
  });

  it('counts whole days across a change of the clocks', () => {
    // Madrid moves to summer time on 28 March 2027: the first of the last 30 days is a winter
    // midnight (UTC+1).
    const now = new Date('2027-04-05T10:00:00Z');
    expect(metricsRange(30, 'Europe/Madrid', now).since).toBe('2027-03-06T23:00:00.000Z');
  });

  it('spans `days` days counting today', () => {
    const { since, until } = metricsRange(7, 'UTC', new Date('2027-03-10T12:00:00Z'));
    expect(everyDay([], since, until, 'UTC').map((d) => d.day)).toEqual([
      '2027-03-04',
      '2027-03-05',
      '2027-03-06',
      '2027-03-07',
      '2027-03-08',
      '2027-03-09',
      '2027-03-10',
    ]);
  });
});

describe('everyDay', () => {
  const zero = { sent: 0, delivered: 0, read: 0, failed: 0, inbound: 0 };
  it('gives every day of the period, the quiet ones as zeros, across a change of the clocks', () => {
    // Madrid moves to summer time on 28 March 2027 (a 23-hour day).
    const { since, until } = metricsRange(7, 'Europe/Madrid', new Date('2027-03-30T10:00:00Z'));
    const counts = [
      { day: '2027-03-24', sent: 2, delivered: 2, read: 1, failed: 0, inbound: 1 },
      { day: '2027-03-29', sent: 1, delivered: 0, read: 0, failed: 1, inbound: 0 },
    ];
    const days = everyDay(counts, since, until, 'Europe/Madrid');
    expect(days.map((d) => d.day)).toEqual([
      '2027-03-24',
      '2027-03-25',
      '2027-03-26',
      '2027-03-27',
      '2027-03-28',
      '2027-03-29',
      '2027-03-30',
    ]);
    expect(days[0]).toEqual(counts[0]);
    expect(days[2]).toEqual({ day: '2027-03-26', ...zero });
    expect(days[5]).toEqual(counts[1]);
  });

  it('is empty for nothing only when the period is', () => {
    const days = everyDay([], '2027-03-01T00:00:00Z', '2027-03-03T00:00:00Z', 'UTC');
    expect(days).toEqual([
      { day: '2027-03-01', ...zero },
      { day: '2027-03-02', ...zero },
    ]);
  });
});
