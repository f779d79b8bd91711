import { describe, expect, it } from 'vitest';
import { describeSharedContent } from './shared-content.js';

describe('describeSharedContent', () => {
  it('names a location by its place and address, with a map link', () => {
    const location = {
      degreesLatitude: 19.4326,
      degreesLongitude: -99.1332,
      name: 'Consultorio Centro',
      address: 'Av. Reforma 123, CDMX',
      jpegThumbnail: '/9j/4AAQ',
    };
    expect(describeSharedContent({ locationMessage: location })).toBe(
      '📍 Consultorio Centro, Av. Reforma 123, CDMX\nhttps://maps.google.com/?q=19.4326,-99.1332',
    );
    // A live location has no name; coordinates out of range give no link.
    expect(
      describeSharedContent({ liveLocationMessage: { degreesLatitude: -34.6, degreesLongitude: -58.38 } }),
    ).toBe('📍 https://maps.google.com/?q=-34.6,-58.38');
    expect(
      describeSharedContent({ locationMessage: { degreesLatitude: 95, degreesLongitude: 0, name: 'Casa' } }),
    ).toBe('📍 Casa');
  });

  it("gives a contact card's name and its WhatsApp numbers, from waid when present", () => {
    const vcard = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:López;Ana;;;',
      'FN:Ana López',
      'item1.TEL;waid=5215512345678:+52 1 55 1234 5678',
      'item1.X-ABLabel:Móvil',
      'TEL;type=WORK:+34 91 123 45',
      ' 67',
      'END:VCARD',
    ].join('\n');
    expect(describeSharedContent({ contactMessage: { displayName: 'Ana', vcard } })).toBe(
      '👤 Ana · +5215512345678, +34 91 123 4567',
    );
    // No displayName: the card's FN.
    expect(describeSharedContent({ contactMessage: { vcard } })).toBe(
      '👤 Ana López · +5215512345678, +34 91 123 4567',
    );
    expect(
      describeSharedContent({
        contactsArrayMessage: {
          displayName: '2 contactos',
          contacts: [{ displayName: 'Ana', vcard }, { displayName: 'Luis' }, 'not a card'],
        },
      }),
    ).toBe('👤 Ana · +5215512345678, +34 91 123 4567\n👤 Luis');
  });

  it('lists a poll question and its options', () => {
    const poll = {
      name: '¿Qué horario prefieres?',
      options: [{ optionName: 'Mañana' }, { optionName: ' Tarde ' }, { optionName: '' }, null],
      selectableOptionsCount: 1,
    };
    for (const key of ['pollCreationMessage', 'pollCreationMessageV2', 'pollCreationMessageV3']) {
      expect(describeSharedContent({ [key]: poll })).toBe('📊 ¿Qué horario prefieres?\n• Mañana\n• Tarde');
    }
  });

  it('says nothing for what has nothing to show, or is not shared content', () => {
    for (const content of [
      {},
      { locationMessage: {} },
      { locationMessage: 'x' },
      { contactMessage: { vcard: 'BEGIN:VCARD\nEND:VCARD' } },
      { pollCreationMessage: { options: [] } },
      { buttonsResponseMessage: { selectedButtonId: '1' } },
    ]) {
      expect(describeSharedContent(content)).toBeNull();
    }
  });

  it('keeps a description to 4,096 characters', () => {
    const options = Array.from({ length: 2_000 }, (_, i) => ({ optionName: `opción ${i}` }));
    const text = describeSharedContent({ pollCreationMessage: { name: 'Larga', options } })!;
    expect(text).toHaveLength(4_096);
    expect(text.endsWith('…')).toBe(true);
  });
});
