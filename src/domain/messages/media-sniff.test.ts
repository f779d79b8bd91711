import { describe, expect, it } from 'vitest';

import { reconcileMimetype, refutesDeclared, sniffMedia } from './media-sniff.js';

const png = sniffMedia(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))!;
const pdf = sniffMedia(Buffer.from('%PDF-1.7 …'))!;
const zip = sniffMedia(Buffer.from('504b0304140000000800', 'hex'))!;
const mp4 = sniffMedia(Buffer.from('000000186674797069736f6d', 'hex'))!;

describe('refutesDeclared', () => {
  it.each([
    ['unknown bytes called a PDF', null, 'application/pdf', true],
    ['a ZIP called a PDF', zip, 'application/pdf', true],
    ['a PDF called a PNG', pdf, 'image/png', true],
    ['a PDF called a PDF', pdf, 'application/pdf', false],
    ['a PNG called a JPEG (corrected, not refuted)', png, 'image/jpeg', false],
    [
      'a ZIP called a Word file (no magic of its own)',
      zip,
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      false,
    ],
    ['unknown bytes called text', null, 'text/plain', false],
    ['no declared type', null, undefined, false],
  ])('%s → %s', (_case, sniffed, declared, refuted) => {
    expect(refutesDeclared(sniffed, declared)).toBe(refuted);
  });
});

describe('reconcileMimetype', () => {
  it('takes the bytes’ exact type over the declared one', () => {
    expect(reconcileMimetype(png, 'image/jpeg')).toBe('image/png');
    expect(reconcileMimetype(pdf, undefined)).toBe('application/pdf');
  });

  it('keeps a declared type the bytes can only confirm by family', () => {
    expect(reconcileMimetype(mp4, 'video/quicktime')).toBe('video/quicktime');
    expect(reconcileMimetype(zip, 'application/vnd.ms-excel')).toBe('application/vnd.ms-excel');
    expect(reconcileMimetype(mp4, 'audio/aac')).toBe('video/mp4');
  });
});
