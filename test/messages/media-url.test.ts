// A media URL is fetched by the gateway, from inside its own network. Against a real gateway the
// service refuses URLs naming a private, loopback or link-local address (a cloud metadata service,
// an admin port) or carrying credentials; public URLs go through. The built-in sandbox, which
// fetches nothing, takes local URLs for local testing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor, type HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
let client: HttpClient;
beforeAll(async () => {
  // A gateway that is not the sandbox (never reached here: the message only waits in the queue).
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused' },
  });
  ({ client } = await signUpAdvisor(service.url, 'Medios'));
});
afterAll(async () => {
  await service?.close();
});

const send = (url: string) =>
  client.post('/api/whatsapp/send', { to: '+34612000901', type: 'document', media: { url } });

describe('a media URL against a real gateway', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data/iam/',
    'https://127.0.0.1:9000/backup.pdf',
    'https://[::1]/plan.pdf',
    'https://localhost/plan.pdf',
    // The fully qualified form of the same name (it used to be taken as a public host).
    'https://localhost.:8080/admin',
    'https://admin:secret@cdn.example.com/plan.pdf',
  ])('is refused with 422 naming media.url, nothing stored: %s', async (url) => {
    const res = await send(url);
    expect(res.status).toBe(422);
    expect(res.body.error.details.fields).toEqual([{ field: 'media.url', message: expect.any(String) }]);
  });

  it('goes through when it names a public host', async () => {
    const res = await send('https://cdn.example.com/plan.pdf');
    expect(res.status).toBe(202);
    expect(res.body.message).toMatchObject({
      mediaUrl: 'https://cdn.example.com/plan.pdf',
      fileName: 'plan.pdf',
    });
    // The refused ones left no message behind.
    const listed = await client.get('/api/whatsapp/messages?phone=%2B34612000901');
    expect(listed.body.items).toHaveLength(1);
  });
});
