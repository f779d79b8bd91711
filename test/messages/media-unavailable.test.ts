// A media URL the gateway cannot download because its file server refuses it (404, 403, 410, 401)
// fails the message at the first attempt, saying why; it used to be retried as a gateway error
// SEND_MAX_ATTEMPTS times with backoff, and the advisor learnt minutes later only "gateway_error".
// An image's file server in trouble (5xx) may recover, so that download is still retried; for
// other kinds Evolution does not say the status, and any refusal fails at once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const MAX_ATTEMPTS = 3;

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: {
      SEND_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      SEND_BACKOFF_BASE_MS: '50',
      SEND_BACKOFF_MAX_MS: '200',
    },
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterEach(async () => {
  await ana.emulator.delete('/_emulator/faults');
});
afterAll(async () => {
  await service?.close();
});

/** The emulated file server answers `status` for every URL under `urlPrefix`. */
const fileServerAnswers = (urlPrefix: string, status: number) =>
  ana.emulator.put('/_emulator/faults', { mediaDownloadFailures: [{ urlPrefix, status }] });

async function sendImage(to: string, url: string): Promise<string> {
  const res = await ana.client.post('/api/whatsapp/send', { to, type: 'image', media: { url } });
  expect(res.status).toBe(202);
  return res.body.message.id as string;
}

const failed = (id: string) =>
  waitFor(
    () => ana.client.get(`/api/whatsapp/messages/${id}`),
    (r) => r.body.status === 'failed',
    { what: `message ${id} failed` },
  );

describe('a media URL the gateway cannot download', () => {
  it.each([404, 403, 410, 401])('fails after one attempt when its server answers %i', async (status) => {
    const to = `+3461200${status}0`;
    await fileServerAnswers('https://files.example.com/gone/', status);
    const id = await sendImage(to, `https://files.example.com/gone/foto-${status}.jpg`);
    const message = (await failed(id)).body;
    expect(message.attempts).toBe(1);
    expect(message.error).toEqual({
      code: 'media_unavailable',
      message: `The media file could not be downloaded from its URL: the file server answered HTTP ${status}.`,
    });
    // The history says the same.
    const history = await ana.client.get(`/api/whatsapp/messages?phone=${encodeURIComponent(to)}`);
    expect(history.body.items.find((m: { id: string }) => m.id === id)?.error?.code).toBe(
      'media_unavailable',
    );
  });

  // Evolution 2.3 fetches a document, video or audio URL through Baileys, whose error names the
  // URL but not the status ("Error: Failed to fetch stream from …", §3.11): such a URL was retried
  // SEND_MAX_ATTEMPTS times, every attempt counting towards the account-safety pause.
  it.each([
    ['document', 'plan.pdf', 404],
    ['video', 'receta.mp4', 404],
    ['audio', 'consejo.ogg', 410],
    ['document', 'menu.pdf', 503],
  ] as const)(
    'fails the %s URL …/%s after one attempt when its server answers %i',
    async (type, name, status) => {
      const to = `+3461201${status}${type.length}`;
      await fileServerAnswers('https://files.example.com/gone/', status);
      const res = await ana.client.post('/api/whatsapp/send', {
        to,
        type,
        media: { url: `https://files.example.com/gone/${name}` },
      });
      expect(res.status).toBe(202);
      const message = (await failed(res.body.message.id as string)).body;
      expect(message.attempts).toBe(1);
      expect(message.error).toEqual({
        code: 'media_unavailable',
        message:
          'The media file could not be downloaded from its URL: its file server answered with an HTTP error.',
      });
    },
  );

  it('is retried while its server answers 503, and fails only once the attempts are spent', async () => {
    await fileServerAnswers('https://files.example.com/busy/', 503);
    const id = await sendImage('+34612000950', 'https://files.example.com/busy/foto.jpg');
    const message = (await failed(id)).body;
    expect(message.attempts).toBe(MAX_ATTEMPTS);
    expect(message.error.code).toBe('gateway_error');
    expect(message.error.message).toBe(
      `Gave up after ${MAX_ATTEMPTS} attempts: AxiosError: Request failed with status code 503`,
    );
  });
});
