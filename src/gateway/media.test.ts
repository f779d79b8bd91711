import { describe, expect, it } from 'vitest';
import { toEvolutionMedia } from './media.js';

describe('toEvolutionMedia', () => {
  it('passes http(s) URLs through', () => {
    expect(toEvolutionMedia(' https://cdn.example/plan.pdf ')).toEqual({
      media: 'https://cdn.example/plan.pdf',
      mimetype: null,
    });
    expect(toEvolutionMedia('http://cdn.example/a.png').media).toBe('http://cdn.example/a.png');
  });

  it('strips a data URI prefix, which Evolution would refuse, and keeps its mimetype', () => {
    expect(toEvolutionMedia('data:image/png;base64,iVBORw0KGgo=')).toEqual({
      media: 'iVBORw0KGgo=',
      mimetype: 'image/png',
    });
    expect(toEvolutionMedia('data:application/pdf;name=plan.pdf;base64,JVBERi0x')).toEqual({
      media: 'JVBERi0x',
      mimetype: 'application/pdf',
    });
  });

  it('keeps raw base64, without line breaks', () => {
    expect(toEvolutionMedia('JVBE\nRi0x')).toEqual({ media: 'JVBERi0x', mimetype: null });
  });

  it.each(['', 'ftp://x/y', 'not base64!', 'data:text/plain,hello'])(
    'refuses %j as a permanent bad_request',
    (input) => {
      expect(() => toEvolutionMedia(input)).toThrow(
        expect.objectContaining({ kind: 'permanent', code: 'bad_request' }),
      );
    },
  );
});
