import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { es } from '../i18n/es';
import type { Translate } from '../i18n/i18n-context';
import type { Message } from './api-types';
import { messageSummary } from './message-summary';

const inSpanish: Translate = (key) => es[key];
const inEnglish: Translate = (key) => en[key];

const inbound = (over: Partial<Message>): Message =>
  ({
    direction: 'inbound',
    type: 'text',
    text: null,
    caption: null,
    fileName: null,
    templateKey: null,
    ...over,
  }) as Message;

describe('messageSummary', () => {
  it('names a sticker as a sticker, not as a file', () => {
    const sticker = inbound({ type: 'sticker', mimetype: 'image/webp' });
    expect(messageSummary(sticker, inSpanish)).toBe('Sticker');
    expect(messageSummary(sticker, inEnglish)).toBe('Sticker');
  });

  it('names the kinds of file, with the file name when there is one', () => {
    expect(messageSummary(inbound({ type: 'image' }), inSpanish)).toBe('Imagen');
    expect(messageSummary(inbound({ type: 'document', fileName: 'plan.pdf' }), inEnglish)).toBe(
      'Document · plan.pdf',
    );
  });

  it('shows what was shared (a location, a contact, a poll), or says where to see a message it cannot show', () => {
    const location = inbound({ type: 'other', text: '📍 Casa\nhttps://maps.google.com/?q=1,2' });
    expect(messageSummary(location, inSpanish)).toBe('📍 Casa\nhttps://maps.google.com/?q=1,2');
    expect(messageSummary(inbound({ type: 'other' }), inSpanish)).toBe('Mensaje que solo se ve en WhatsApp');
    expect(messageSummary(inbound({ type: 'other' }), inEnglish)).toBe(
      'A message you can only see in WhatsApp',
    );
  });

  it('prefers the text or the caption', () => {
    expect(messageSummary(inbound({ text: 'hola' }), inSpanish)).toBe('hola');
    expect(messageSummary(inbound({ type: 'image', caption: 'mi plato' }), inSpanish)).toBe('mi plato');
  });

  it('says a message deleted for everyone was deleted, whatever it held', () => {
    const deleted = inbound({ type: 'image', fileName: 'x.jpg', deletedAt: '2026-12-03T10:00:00.000Z' });
    expect(messageSummary(deleted, inSpanish)).toBe('Mensaje eliminado');
    expect(messageSummary(deleted, inEnglish)).toBe('This message was deleted');
  });
});
