import { describe, expect, it } from 'vitest';

import {
  reconcileMimetype,
  refutesDeclared,
  refutesFileName,
  sniffedAsAudio,
  sniffMedia,
} from './media-sniff.js';

const hex = (h: string, pad = 0) => Buffer.concat([Buffer.from(h, 'hex'), Buffer.alloc(pad)]);
const png = (await sniffMedia(hex('89504e470d0a1a0a0000000d49484452')))!;
const pdf = (await sniffMedia(Buffer.from('%PDF-1.7 …')))!;
const zip = (await sniffMedia(hex('504b0304140000000800')))!;
const mp4 = (await sniffMedia(hex('000000186674797069736f6d')))!;
const exe = (await sniffMedia(Buffer.from('MZ\x90\x00 program', 'latin1')))!;
const ogg = (await sniffMedia(
  Buffer.concat([
    Buffer.from('OggS'),
    hex('0002', 20),
    hex('0113'),
    Buffer.from('OpusHead'),
    Buffer.alloc(11),
  ]),
))!;
const mp3 = (await sniffMedia(hex('fffa9064', 60)))!;
const aac = (await sniffMedia(hex('fff15080', 60)))!;
const amr = (await sniffMedia(Buffer.from(`#!AMR\n${'x'.repeat(20)}`)))!;
const webm = (await sniffMedia(
  hex('1a45dfa39f4286810142f7810142f2810442f381084282847765626d4287810442858102', 40),
))!;
const m4a = (await sniffMedia(hex('00000020667479704d344120', 30)))!;
const mov = (await sniffMedia(hex('00000014667479707174202000000000', 40)))!;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
// MP4s whose brand names no audio, as Android recorders write M4As, and a 3GP recording.
const isom = (await sniffMedia(hex('0000001c6674797069736f6d0000020069736f6d69736f326d703431', 8)))!;
const mp42 = (await sniffMedia(hex('00000018667479706d7034320000000069736f6d', 8)))!;
const gp = (await sniffMedia(hex('000000146674797033677034000000003367703400', 8)))!;

describe('sniffMedia', () => {
  // QA (2026-12-01) found the hand-written checks refusing real audio and taking photos for video.
  it.each([
    [
      'a HEIC photo (an ftyp box, brand heic)',
      hex('0000001866747970686569630000000068656963', 16),
      'image/heic',
      'image',
    ],
    ['an AVIF photo', hex('0000001c667479706176696600000000617669666d696631', 16), 'image/avif', 'image'],
    ['an MP4 video', hex('000000186674797069736f6d'), 'video/mp4', 'video'],
    ['an M4A (named as WhatsApp takes it)', hex('00000020667479704d344120', 30), 'audio/mp4', 'audio'],
    ['AAC in ADTS frames', hex('fff15080', 60), 'audio/aac', 'audio'],
    ['an AMR voice note', Buffer.from(`#!AMR\n${'x'.repeat(20)}`), 'audio/amr', 'audio'],
    ['an MP3 with no ID3 tag (MPEG-1 layer III, protected)', hex('fffa9064', 60), 'audio/mpeg', 'audio'],
    ['an MP3 with no ID3 tag (MPEG-2)', hex('fff39064', 60), 'audio/mpeg', 'audio'],
    // The names the gateway's conversion to a voice note goes by (gateway/media.ts isAudioToConvert).
    [
      'a WAV',
      Buffer.concat([Buffer.from('RIFF\x24\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(40)]),
      'audio/wav',
      'audio',
    ],
    ['a FLAC', Buffer.concat([Buffer.from('fLaC'), hex('80000022', 34)]), 'audio/flac', 'audio'],
    ['a PDF', Buffer.from('%PDF-1.7 …'), 'application/pdf', 'document'],
    [
      'a Windows executable',
      Buffer.from('MZ\x90\x00 program', 'latin1'),
      'application/x-msdownload',
      'document',
    ],
  ])('%s → %s (%s)', async (_case, bytes, mimetype, kind) => {
    expect(await sniffMedia(bytes)).toEqual({ mimetype, kind });
  });

  it('knows nothing of plain text', async () => {
    expect(await sniffMedia(Buffer.from('hola, ¿qué tal?'))).toBeNull();
  });
});

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
    ['an executable called a PDF, with a parameter', exe, 'application/pdf; name=factura.pdf', true],
    ['an executable called a PDF, in capitals', exe, 'Application/PDF', true],
    ['an executable called a Word file', exe, DOCX, true],
    ['an executable called an old Excel file', exe, 'application/vnd.ms-excel', true],
    ['unknown bytes called a Word file (a container file-type cannot open)', null, DOCX, false],
    ['a PDF called a PDF, with a parameter', pdf, 'application/pdf; charset=binary', false],
    ['unknown bytes called text', null, 'text/plain', false],
    ['no declared type', null, undefined, false],
  ])('%s → %s', (_case, sniffed, declared, refuted) => {
    expect(refutesDeclared(sniffed, declared)).toBe(refuted);
  });
});

describe('refutesFileName', () => {
  it.each([
    ['a PDF called .jpg', pdf, 'image/jpeg'],
    ['a PDF called .txt (a declared type would be corrected; a name cannot be)', pdf, 'text/plain'],
    ['a PDF called .docx', pdf, DOCX],
    ['a PNG called .pdf', png, 'application/pdf'],
    ['an executable called .pdf', exe, 'application/pdf'],
    ['unknown bytes called .pdf', null, 'application/pdf'],
  ])('refutes %s', (_case, sniffed, nameType) => {
    expect(refutesFileName(sniffed, nameType)).toBe(true);
  });

  it.each([
    ['a name without a known extension', pdf, undefined],
    ['a PDF called .pdf', pdf, 'application/pdf'],
    ['a PNG called .jpg (another image type)', png, 'image/jpeg'],
    ['a ZIP called .docx (its name says more)', zip, DOCX],
    ['an MP4 called .m4v', mp4, 'video/x-m4v'],
    ['unknown bytes called .csv', null, 'text/csv'],
  ])('takes %s', (_case, sniffed, nameType) => {
    expect(refutesFileName(sniffed, nameType)).toBe(false);
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

  // QA (2026-12-07): an OGG/Opus voice note declared audio/mpeg went to Evolution as audio/mpeg,
  // the caller's type kept because it was audio too; WhatsApp may refuse or not play it.
  it.each([
    ['an OGG/Opus voice note declared as MP3', ogg, 'audio/mpeg', 'audio/ogg; codecs=opus'],
    ['an OGG/Opus voice note declared as plain OGG', ogg, 'audio/ogg', 'audio/ogg; codecs=opus'],
    ['an MP3 declared as OGG', mp3, 'audio/ogg', 'audio/mpeg'],
    ['AAC in ADTS frames declared as M4A', aac, 'audio/mp4', 'audio/aac'],
    ['an AMR voice note declared as MP3', amr, 'audio/mpeg', 'audio/amr'],
    ['a WebM declared as MP4', webm, 'video/mp4', 'video/webm'],
    ['an MP4 declared as WebM', mp4, 'video/webm', 'video/mp4'],
    ['an M4A declared as raw AAC', m4a, 'audio/aac', 'audio/mp4'],
  ])('takes the bytes’ type for %s', (_case, sniffed, declared, mimetype) => {
    expect(reconcileMimetype(sniffed, declared)).toBe(mimetype);
  });

  it('keeps another MP4 brand the caller names in the same family', () => {
    expect(reconcileMimetype(mov, 'video/mp4')).toBe('video/mp4');
    expect(reconcileMimetype(mp4, 'video/3gpp')).toBe('video/3gpp');
    expect(reconcileMimetype(mp4, 'audio/mp4')).toBe('video/mp4');
  });

  it('drops the declared parameters and keeps no declared type on a recognised document', () => {
    expect(reconcileMimetype(zip, `${DOCX}; name=contrato.docx`)).toBe(DOCX);
    expect(reconcileMimetype(exe, 'application/octet-stream')).toBe('application/x-msdownload');
    expect(reconcileMimetype(mp4, 'Video/QuickTime; codecs=avc1')).toBe('video/quicktime');
  });
});

// QA (2026-12-07): voice recordings whose container header names no audio were refused as audio.
describe('sniffedAsAudio', () => {
  it.each([
    ['an MP4 with the brand isom (an Android M4A)', isom, 'audio/mp4'],
    ['an MP4 with the brand mp42', mp42, 'audio/mp4'],
    ['a QuickTime file', mov, 'audio/mp4'],
    ['a 3GP recording', gp, 'audio/mp4'],
    ["a WebM (a browser's MediaRecorder)", webm, 'audio/webm'],
  ])('takes %s as audio', (_case, sniffed, mimetype) => {
    expect(sniffed.kind).toBe('video');
    expect(sniffedAsAudio(sniffed)).toEqual({ mimetype, kind: 'audio' });
  });

  it('leaves audio, documents, images and unknown bytes as they are', () => {
    expect(sniffedAsAudio(ogg)).toBe(ogg);
    expect(sniffedAsAudio(m4a)).toBe(m4a);
    expect(sniffedAsAudio(pdf)).toBe(pdf);
    expect(sniffedAsAudio(png)).toBe(png);
    expect(sniffedAsAudio(null)).toBeNull();
  });
});
