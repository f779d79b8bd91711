// A repeated booking compares what the repeat says, read as it was read at booking.
import { describe, expect, it } from 'vitest';
import { repeatDifferences, type AppointmentFields } from './appointment-fields.js';

const stored: AppointmentFields = {
  clientName: 'Marta',
  clientPhone: '+34612345678',
  startsAt: new Date('2027-03-01T10:00:00Z'),
  endsAt: null,
  timezone: 'Europe/Madrid',
  address: null,
  notes: null,
};
const input = { clientName: 'Marta', clientPhone: '612 345 678', startsAt: stored.startsAt };

describe('repeatDifferences', () => {
  it("reads a national phone number in the stored number's country, whatever the default is now", () => {
    // Read with another default country since, the number came out as another one.
    const readNow = { ...stored, clientPhone: '+52612345678', timezone: 'America/Mexico_City' };
    expect(repeatDifferences(stored, input, readNow)).toEqual([]);
  });

  it('compares a number that names another one, and a zone the repeat gives', () => {
    const other = { ...stored, clientPhone: '+34699000111', timezone: 'America/Mexico_City' };
    expect(
      repeatDifferences(
        stored,
        { ...input, clientPhone: '+34 699 000 111', timezone: 'America/Mexico_City' },
        other,
      ),
    ).toEqual(['clientPhone', 'timezone']);
  });

  it('still compares every other field', () => {
    const later = { ...stored, startsAt: new Date('2027-03-02T10:00:00Z'), notes: 'planta baja' };
    expect(repeatDifferences(stored, input, later)).toEqual(['startsAt', 'notes']);
  });
});
