// Voice recordings come in containers whose header names no audio: an M4A from an Android
// recorder is an MP4 with the generic brand "isom" or "mp42", and Chrome's MediaRecorder writes
// audio-only WebM; file-type calls them video/mp4 and video/webm. Sent as audio they were refused
// with 415 (QA, 2026-12-07). Through the emulator over real HTTP: what the phone records as sent
// is what the client's WhatsApp got.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import {
  connectedAdvisor,
  sendAndRead as sendAndReadAs,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';
import { AIFF, FLAC, M4A_ISOM, M4A_MP42, MP3, PDF, WAV, WEBM, WEBM_AUDIO } from '../support/media-samples.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const sendAndRead = (body: Record<string, unknown>) => sendAndReadAs(ana, '+34612000451', body);

describe('a voice recording sent as audio', () => {
  it.each([
    ['an M4A with the brand isom', M4A_ISOM],
    ['an M4A with the brand mp42', M4A_MP42],
  ])('sends %s as an audio/mp4 audio file', async (_case, bytes) => {
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: { base64: bytes.toString('base64') },
    });
    expect(message).toMatchObject({ type: 'audio', mimetype: 'audio/mp4' });
    expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/mp4' });
  });

  it('names an M4A called .mp4 as audio, since the gateway labels the file by its name', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: { base64: M4A_MP42.toString('base64'), fileName: 'Grabación 12.mp4' },
    });
    expect(message).toMatchObject({ mimetype: 'audio/mp4', fileName: 'Grabación 12.m4a' });
    expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/mp4' });
  });

  it("sends a browser's WebM recording as a voice note the gateway converts to OGG/Opus", async () => {
    // What FileReader makes of MediaRecorder's blob: its type carries the codec.
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: {
        base64: `data:audio/webm;codecs=opus;base64,${WEBM_AUDIO.toString('base64')}`,
        fileName: 'nota.webm',
      },
    });
    expect(message).toMatchObject({ type: 'audio', mimetype: 'audio/webm', fileName: null });
    expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/ogg; codecs=opus', ptt: true });
  });

  it('still refuses bytes that are no audio or video at all', async () => {
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000452',
      type: 'audio',
      media: { base64: PDF.toString('base64') },
    });
    expect([res.status, res.body.error?.code]).toEqual([415, 'unsupported_media_type']);
    expect(res.body.error.details).toMatchObject({ expected: 'audio', detected: 'application/pdf' });
  });
});

// WhatsApp's apps play AAC, M4A, MP3, AMR and OGG/Opus: a WAV from a desktop recorder, a FLAC or
// an AIFF, sent as an audio file did not play on the client's phone (QA, 2026-12-07). They go as a
// voice note the gateway converts, which the emulator records as OGG/Opus with ptt (sendMedia never
// sets ptt); what WhatsApp plays stays an audio file.
describe('audio that WhatsApp plays no file of', () => {
  it.each([
    ['a WAV', WAV, 'audio/x-wav', 'grabacion.wav', 'audio/wav'],
    ['a FLAC', FLAC, 'audio/flac', 'tema.flac', 'audio/flac'],
    // What macOS's recorders and editors save.
    ['an AIFF', AIFF, 'audio/aiff', 'grabacion.aiff', 'audio/aiff'],
  ])(
    'sends %s as a voice note the gateway converts to OGG/Opus',
    async (_case, bytes, declared, fileName, mimetype) => {
      const { message, onPhone } = await sendAndRead({
        type: 'audio',
        media: { base64: `data:${declared};base64,${bytes.toString('base64')}`, fileName },
      });
      expect(message).toMatchObject({ type: 'audio', mimetype, fileName: null });
      expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/ogg; codecs=opus', ptt: true });
    },
  );

  it.each([
    ['audio/x-wav', 'https://cdn.example.com/a/grabacion.wav'],
    ['audio/x-flac', 'https://cdn.example.com/a/tema.flac'],
    ['audio/x-aiff', 'https://cdn.example.com/a/grabacion.aif'],
  ])('sends a media.url declared %s as a voice note too', async (mimetype, url) => {
    const { message, onPhone } = await sendAndRead({ type: 'audio', media: { url, mimetype } });
    expect(message).toMatchObject({ mimetype, fileName: null });
    expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/ogg; codecs=opus', ptt: true });
  });

  // A link to a recording rarely comes with its type: its name is what says it. The gateway would
  // label such a file by that name and send it as it is, which the client's phone does not play.
  it.each([
    ['https://cdn.example.com/a/grabacion.wav', 'audio/wav'],
    ['https://cdn.example.com/a/tema.FLAC?v=2', 'audio/x-flac'],
    ['https://cdn.example.com/a/grabacion.aif', 'audio/x-aiff'],
    ['https://cdn.example.com/a/nota%20de%20voz.webm', 'audio/webm'],
  ])('sends a media.url with no declared type named %s as a voice note', async (url, mimetype) => {
    const { message, onPhone } = await sendAndRead({ type: 'audio', media: { url } });
    expect(message).toMatchObject({ mimetype, fileName: null });
    expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/ogg; codecs=opus', ptt: true });
  });

  it('still sends a media.url with no declared type named .mp3 as the audio file it is', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: { url: 'https://cdn.example.com/a/nota.mp3' },
    });
    expect(message).toMatchObject({ mimetype: null, fileName: 'nota.mp3' });
    expect(onPhone).toMatchObject({ type: 'audio' });
    expect(onPhone).not.toMatchObject({ ptt: true });
  });

  it.each([
    ['an MP3', MP3, 'nota.mp3', 'audio/mpeg'],
    ['an M4A', M4A_ISOM, 'nota.m4a', 'audio/mp4'],
  ])('still sends %s as the audio file it is', async (_case, bytes, fileName, mimetype) => {
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: { base64: bytes.toString('base64'), fileName },
    });
    expect(message).toMatchObject({ type: 'audio', mimetype, fileName });
    expect(onPhone).toMatchObject({ type: 'audio', mimetype, fileName });
    expect(onPhone.ptt).toBeUndefined();
  });
});

describe('a video sent as video', () => {
  it.each([
    ['an MP4', M4A_ISOM, 'video/mp4', 'video.mp4'],
    ['a WebM', WEBM, 'video/webm', 'video.webm'],
  ])('keeps %s a video of its own type', async (_case, bytes, mimetype, fileName) => {
    const { message, onPhone } = await sendAndRead({
      type: 'video',
      media: { base64: bytes.toString('base64') },
    });
    expect(message).toMatchObject({ type: 'video', mimetype, fileName });
    expect(onPhone).toMatchObject({ type: 'video', mimetype });
    expect(onPhone.ptt).toBeUndefined();
  });
});
