import { describe, expect, it } from 'vitest';
import { audioFileNameForType, isAudioToConvert, mediaFileName, toEvolutionMedia } from './media.js';

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

// Evolution labels a file by its name's extension (§3.11); WhatsApp shows no name on audio.
describe('audioFileNameForType', () => {
  it.each([
    ['an M4A called .mp4', 'Grabación 12.mp4', 'audio/mp4', 'Grabación 12.m4a'],
    ['an M4A called .mp3', 'nota.mp3', 'audio/mp4', 'nota.m4a'],
    ['a name that is a bare extension', 'mp4', 'audio/mp4', 'mp4.m4a'],
    ['a name without an extension', 'consejo', 'audio/ogg; codecs=opus', 'consejo.ogg'],
  ])('renames %s', (_case, fileName, mimetype, sent) => {
    expect(audioFileNameForType(fileName, mimetype)).toBe(sent);
  });

  it.each([
    ['an M4A called .m4a', 'nota.m4a', 'audio/mp4'],
    ['an OGG/Opus voice note called .opus', 'nota.opus', 'audio/ogg; codecs=opus'],
    ['a FLAC (audio/x-flac by its extension)', 'tema.flac', 'audio/flac'],
    ['a file of unknown type', 'nota.mp4', 'application/octet-stream'],
  ])('keeps %s', (_case, fileName, mimetype) => {
    expect(audioFileNameForType(fileName, mimetype)).toBe(fileName);
  });
});

describe('isAudioToConvert', () => {
  it('is WebM, Matroska, WAV and FLAC audio only, whatever the parameters', () => {
    expect(isAudioToConvert('audio/webm')).toBe(true);
    expect(isAudioToConvert('Audio/WebM; codecs=opus')).toBe(true);
    expect(isAudioToConvert('audio/x-matroska')).toBe(true);
    expect(isAudioToConvert('audio/mp4')).toBe(false);
    expect(isAudioToConvert('audio/mpeg')).toBe(false);
    expect(isAudioToConvert('audio/aac')).toBe(false);
    expect(isAudioToConvert('audio/amr')).toBe(false);
    expect(isAudioToConvert('audio/ogg; codecs=opus')).toBe(false);
    expect(isAudioToConvert('video/webm')).toBe(false);
    expect(isAudioToConvert(null)).toBe(false);
  });

  // WhatsApp's apps play neither as an audio message (QA, 2026-12-07).
  it.each(['audio/wav', 'audio/wave', 'audio/x-wav', 'audio/vnd.wave', 'Audio/WAV; codecs=1'])(
    'is WAV by any of its names: %s',
    (mimetype) => expect(isAudioToConvert(mimetype)).toBe(true),
  );

  it.each(['audio/flac', 'audio/x-flac'])('is FLAC by either of its names: %s', (mimetype) =>
    expect(isAudioToConvert(mimetype)).toBe(true),
  );
});

// Evolution writes mimeTypes.lookup(fileName).toString(): a name with no known extension is "false".
describe('mediaFileName', () => {
  it('gives every name it returns an extension that names a type', () => {
    expect(mediaFileName('document', 'watch', undefined)).toBe('watch.bin');
    expect(mediaFileName('document', 'pesos', 'application/octet-stream')).toBe('pesos.bin');
    expect(mediaFileName('document', 'datos', 'application/x-unheard-of')).toBe('datos.bin');
    expect(mediaFileName('document', '12345', 'application/pdf')).toBe('12345.pdf');
    expect(mediaFileName('document', 'plan.docx', 'application/zip')).toBe('plan.docx');
    expect(mediaFileName('video', 'video', 'video/webm')).toBe('video.webm');
    expect(mediaFileName('audio', 'nota.mp4', 'audio/mp4')).toBe('nota.m4a');
  });

  it('adds the extension after a name that ends in a dot without doubling the dot', () => {
    expect(mediaFileName('document', 'plan.', 'application/pdf')).toBe('plan.pdf');
    expect(mediaFileName('document', 'notas..', undefined)).toBe('notas.bin');
    expect(mediaFileName('audio', 'nota.', 'audio/ogg')).toBe('nota.ogg');
  });

  it('leaves out the name of a video or audio file whose type nothing tells, and of any image', () => {
    expect(mediaFileName('video', 'watch', undefined)).toBeUndefined();
    expect(mediaFileName('audio', 'nota', undefined)).toBeUndefined();
    expect(mediaFileName('image', 'foto', 'image/png')).toBeUndefined();
    expect(mediaFileName('image', 'foto.png', 'image/png')).toBeUndefined();
  });
});
