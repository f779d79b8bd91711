import { describe, expect, it } from 'vitest';
import {
  formatDateTime,
  formatDuration,
  formatShort,
  formatTime,
  initials,
  localInputToIso,
  toLocalInput,
} from './format';

const wellFormed = (s: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('initials', () => {
  it('takes the first letter of the first and last words', () => {
    expect(initials('lucía pérez')).toBe('LP');
    expect(initials('  Ana  ')).toBe('A');
    expect(initials('')).toBe('·');
    expect(initials(null)).toBe('·');
  });

  it('never cuts an emoji in half', () => {
    for (const name of ['Lucía 🌿', '🌿 Lucía', 'Marta 👩🏽‍⚕️', 'Jorge 🇪🇸']) {
      const got = initials(name);
      expect(wellFormed(got), `${name} → ${JSON.stringify(got)}`).toBe(true);
    }
    expect(initials('Lucía 🌿')).toBe('L🌿');
    expect(initials('Marta 👩🏽‍⚕️')).toBe('M👩🏽‍⚕️');
  });
});

describe('times in the advisor zone', () => {
  it('formats an instant in the given zone, whatever the machine zone', () => {
    const iso = '2027-01-15T09:00:00.000Z';
    expect(formatTime(iso, 'es-ES', 'Europe/Madrid')).toBe('10:00');
    expect(formatTime(iso, 'es-ES', 'America/Mexico_City')).toBe('3:00');
    expect(formatDateTime(iso, 'es-ES', 'Asia/Tokyo')).toBe('15 ene 2027, 18:00');
  });

  it('reads a datetime-local value as a wall time in the given zone', () => {
    expect(localInputToIso('2027-01-15T10:00', 'Europe/Madrid')).toBe('2027-01-15T09:00:00.000Z');
    expect(localInputToIso('2027-07-15T10:00', 'Europe/Madrid')).toBe('2027-07-15T08:00:00.000Z');
    expect(localInputToIso('2027-01-15T10:00', 'America/New_York')).toBe('2027-01-15T15:00:00.000Z');
    expect(localInputToIso('', 'Europe/Madrid')).toBeNull();
    expect(localInputToIso('2027-02-30T10:00', 'Europe/Madrid')).toBeNull();
  });

  it('settles the daylight-saving changes: a skipped time moves forward, a repeated one is the first', () => {
    // Madrid, 28 March 2027: 02:00 → 03:00. 31 October 2027: 03:00 → 02:00.
    expect(localInputToIso('2027-03-28T02:30', 'Europe/Madrid')).toBe('2027-03-28T01:30:00.000Z');
    expect(localInputToIso('2027-10-31T02:30', 'Europe/Madrid')).toBe('2027-10-31T00:30:00.000Z');
  });

  it('writes an instant as the datetime-local value of the given zone, and back', () => {
    const d = new Date('2027-01-15T09:00:00.000Z');
    expect(toLocalInput(d, 'Europe/Madrid')).toBe('2027-01-15T10:00');
    expect(toLocalInput(d, 'America/New_York')).toBe('2027-01-15T04:00');
    expect(localInputToIso(toLocalInput(d, 'Asia/Kolkata'), 'Asia/Kolkata')).toBe(d.toISOString());
  });

  it('says "today" by the day in the given zone', () => {
    const now = new Date('2027-01-15T23:30:00.000Z'); // already the 16th in Madrid
    expect(formatShort('2027-01-15T23:10:00.000Z', 'es-ES', now, 'Europe/Madrid')).toBe('0:10');
    expect(formatShort('2027-01-15T22:50:00.000Z', 'es-ES', now, 'Europe/Madrid')).toBe('vie');
  });
});

describe('formatDuration', () => {
  it('says hours and minutes without a minute count of 60', () => {
    // 1 h 59 min 50 s: the minutes round up into the next hour.
    expect(formatDuration(7190, 'es-ES')).toBe('2 h');
    expect(formatDuration(5 * 3600 + 59 * 60 + 45, 'es-ES')).toBe('6 h');
    expect(formatDuration(3600 + 30 * 60, 'es-ES')).toBe('1 h 30 min');
    expect(formatDuration(45, 'es-ES')).toBe('45 s');
    expect(formatDuration(12 * 60, 'es-ES')).toBe('12 min');
  });
});
