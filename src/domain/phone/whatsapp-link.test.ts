import { describe, expect, it } from 'vitest';

import { buildWaMeLink } from './whatsapp-link.js';

describe('buildWaMeLink', () => {
  it('links the number without the plus and with the message encoded', () => {
    expect(buildWaMeLink('+34612345678', 'Hola, me gustaría reservar una cita')).toBe(
      'https://wa.me/34612345678?text=Hola%2C%20me%20gustar%C3%ADa%20reservar%20una%20cita',
    );
  });

  it('encodes emoji, line breaks and URL-significant characters so the text arrives unchanged', () => {
    const message = 'Hola 🙂\n¿cita? a&b=c #1 +50%';
    const link = buildWaMeLink('+5491123456789', message);
    expect(link).toBe(
      'https://wa.me/5491123456789?text=Hola%20%F0%9F%99%82%0A%C2%BFcita%3F%20a%26b%3Dc%20%231%20%2B50%25',
    );
    expect(new URL(link).searchParams.get('text')).toBe(message);
  });

  it.each(['', '   '])('adds no text parameter for the empty message %j', (message) => {
    expect(buildWaMeLink('+34612345678', message)).toBe('https://wa.me/34612345678');
  });

  it('adds no text parameter when there is no message', () => {
    expect(buildWaMeLink('+34612345678')).toBe('https://wa.me/34612345678');
  });

  it('survives half an emoji at the end of a cut message', () => {
    const cut = 'Hola 🙂'.slice(0, -1);
    expect(buildWaMeLink('+34612345678', cut)).toBe('https://wa.me/34612345678?text=Hola%20%EF%BF%BD');
  });

  it.each(['34612345678', '+34 612 345 678', '+0612345678', '', '+12'])(
    'rejects %j, which is not E.164',
    (phone) => {
      expect(() => buildWaMeLink(phone, 'Hola')).toThrow(RangeError);
    },
  );
});
