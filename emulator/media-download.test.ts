// A media URL whose file server refuses the download (fault `mediaDownloadFailures`). The gateway
// fetches `media` URLs itself and answers a failed fetch with a 500 naming it (reference §3.11):
// an image is fetched with axios before anything else ("AxiosError: Request failed with status
// code 404"); other kinds by Baileys' upload step, whose error names the URL but not the status.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createInstance, startTestEmulator, type TestEmulator } from './testing/harness.js';

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
  await createInstance(emulator, 'media');
  await createInstance(emulator, 'never-connected', { open: false });
});

beforeEach(async () => {
  await emulator.call('DELETE', '/_emulator/faults', { apikey: null });
});

afterAll(async () => {
  await emulator.close();
});

const faults = (body: Record<string, unknown>) =>
  emulator.call('PUT', '/_emulator/faults', { body, apikey: null });
const sendMedia = (mediatype: string, media: string, instance = 'media') =>
  emulator.call('POST', `/message/sendMedia/${instance}`, {
    body: { number: '34612345678', mediatype, media },
  });
const internalError = (message: string) => ({
  status: 500,
  error: 'Internal Server Error',
  response: { message: [message] },
});

describe('mediaDownloadFailures', () => {
  it('is shown back, checked, and reset with the other faults', async () => {
    const set = await faults({
      mediaDownloadFailures: [{ urlPrefix: 'https://files.example.com/', status: 404 }],
    });
    expect(set.status).toBe(200);
    expect(set.body.mediaDownloadFailures).toEqual([
      { urlPrefix: 'https://files.example.com/', status: 404 },
    ]);
    expect((await faults({ mediaDownloadFailures: [{ urlPrefix: 'x', status: 200 }] })).status).toBe(400);
    expect((await faults({ mediaDownloadFailures: [{ urlPrefix: '', status: 404 }] })).status).toBe(400);
    await emulator.call('DELETE', '/_emulator/faults', { apikey: null });
    expect(
      (await emulator.call('GET', '/_emulator/faults', { apikey: null })).body.mediaDownloadFailures,
    ).toEqual([]);
  });

  it.each([404, 403, 410, 401, 503])(
    'an image URL answers 500 with the axios error for %i',
    async (status) => {
      await faults({ mediaDownloadFailures: [{ urlPrefix: 'https://files.example.com/gone/', status }] });
      const reply = await sendMedia('image', 'https://files.example.com/gone/foto.jpg');
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual(internalError(`AxiosError: Request failed with status code ${status}`));
    },
  );

  it.each(['document', 'video', 'audio'])(
    'a %s URL answers 500 naming the URL, not the status',
    async (kind) => {
      await faults({
        mediaDownloadFailures: [{ urlPrefix: 'https://files.example.com/gone/', status: 404 }],
      });
      const url = 'https://files.example.com/gone/plan.pdf?v=2';
      const reply = await sendMedia(kind, url);
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual(internalError(`Error: Failed to fetch stream from ${url}`));
    },
  );

  it('leaves other URLs, base64 and the other send routes alone', async () => {
    await faults({ mediaDownloadFailures: [{ urlPrefix: 'https://files.example.com/gone/', status: 404 }] });
    expect((await sendMedia('image', 'https://files.example.com/kept/foto.jpg')).status).toBe(201);
    expect((await sendMedia('image', '/9j/4AAQSkZJRgABAQEASABIAAD/')).status).toBe(201);
    const text = await emulator.call('POST', '/message/sendText/media', {
      body: { number: '34612345678', text: 'https://files.example.com/gone/foto.jpg' },
    });
    expect(text.status).toBe(201);
  });

  it('the first matching rule gives the status', async () => {
    await faults({
      mediaDownloadFailures: [
        { urlPrefix: 'https://files.example.com/gone/', status: 410 },
        { urlPrefix: 'https://files.example.com/', status: 403 },
      ],
    });
    expect((await sendMedia('image', 'https://files.example.com/gone/a.jpg')).body.response.message).toEqual([
      'AxiosError: Request failed with status code 410',
    ]);
    expect((await sendMedia('image', 'https://files.example.com/b.jpg')).body.response.message).toEqual([
      'AxiosError: Request failed with status code 403',
    ]);
  });

  it('with no socket, an image still fails its download first; other kinds fail reaching the upload', async () => {
    // The image is fetched before prepareWAMessageMedia; for the other kinds the call's
    // arguments read `client.waUploadToServer` before Baileys fetches anything.
    await faults({ mediaDownloadFailures: [{ urlPrefix: 'https://files.example.com/', status: 404 }] });
    const image = await sendMedia('image', 'https://files.example.com/a.jpg', 'never-connected');
    expect(image.body).toEqual(internalError('AxiosError: Request failed with status code 404'));
    const document = await sendMedia('document', 'https://files.example.com/a.pdf', 'never-connected');
    expect(document.body).toEqual(
      internalError("TypeError: Cannot read properties of undefined (reading 'waUploadToServer')"),
    );
  });
});
