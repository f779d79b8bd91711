import { describe, expect, it } from 'vitest';
import { metricsRange } from './metrics-range';

describe('metricsRange', () => {
  it("starts at midnight in the advisor's zone, whatever the browser's", () => {
    // 02:30 UTC on 10 March is still 9 March in Mexico City (UTC−6) and already 10 March in Tokyo.
    const now = new Date('2027-03-10T02:30:20Z');
    expect(metricsRange(7, 'America/Mexico_City', now)).toEqual({
      since: '2027-03-02T06:00:00.000Z',
      until: '2027-03-10T02:31:00.000Z',
    });
    expect(metricsRange(7, 'Asia/Tokyo', now).since).toBe('2027-03-02T15:00:00.000Z');
  });

  it('counts whole days across a change of the clocks', () => {
    // Madrid moves to summer time on 28 March 2027: 30 days back is a winter midnight (UTC+1).
    const now = new Date('2027-04-05T10:00:00Z');
    expect(metricsRange(30, 'Europe/Madrid', now).since).toBe('2027-03-05T23:00:00.000Z');
  });
});
