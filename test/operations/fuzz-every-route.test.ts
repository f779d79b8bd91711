// Malformed and mutated requests thrown at every route of the OpenAPI document (plus the webhook
// and sign-in routes), as a signed-in advisor, with an API key and anonymously: never a 5xx (503
// only for the gateway), always the documented error body, and the process keeps serving. The
// default size suits the test suite; the reliability drill runs the same file bigger:
//   FUZZ_REQUESTS=100000 npx vitest run test/operations/fuzz-every-route.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../support/http.js';
import { randomBody, randomParam, randomQuery, seededRandom } from '../support/fuzz.js';
import { startTestService, type TestService } from '../support/service.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1_500);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
let service: TestService;
let ana: ConnectedAdvisor;
let keyClient: HttpClient;
const real: Record<string, string> = {};

beforeAll(async () => {
  service = await startTestService({ env: { WEBHOOK_BODY_LIMIT: '65536' } });
  ana = await connectedAdvisor(service, 'Ana');
  const key = await ana.client.post('/api/api-keys', { name: 'fuzz' });
  keyClient = new HttpClient(service.url, { 'x-api-key': key.body.key });
  const sent = await ana.client.post('/api/whatsapp/send', { to: '+34612000777', text: 'hola' });
  real.id = sent.body.message.id;
  real.phone = '+34612000777';
  real.externalId = 'fuzz-1';
  await ana.client.post('/api/appointments', {
    externalId: real.externalId,
    clientName: 'Cliente',
    clientPhone: real.phone,
    startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
  });
  real.slug = (await ana.client.get('/api/whatsapp/config')).body.publicSlug;
}, 60_000);
afterAll(async () => {
  await service?.close();
});

/** Valid bodies to mutate, so the fuzzing reaches past the schemas into the handlers. */
const VALID: Record<string, Record<string, unknown>> = {
  '/api/whatsapp/send': { to: '+34612000777', text: 'hola' },
  '/api/whatsapp/templates': { key: 'k', name: 'n', category: 'custom', language: 'es', body: 'Hola' },
  '/api/whatsapp/config': { settings: { timezone: 'Europe/Madrid' } },
  '/api/appointments': {
    externalId: 'x',
    clientName: 'c',
    clientPhone: '+34612000778',
    startsAt: '2030-01-01T10:00:00Z',
  },
  '/api/api-keys': { name: 'k' },
  '/api/whatsapp/webhook': { event: 'messages.update', instance: 'x', data: {} },
};

describe('fuzzing every route', () => {
  it(
    `answers ${REQUESTS} malformed requests without a 5xx or a crash (seed ${SEED})`,
    async () => {
      const doc = (service.app as unknown as { swagger(): { paths: Record<string, object> } }).swagger();
      const routes: [string, string][] = [];
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const method of Object.keys(methods)) {
          if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) routes.push([method, path]);
        }
      }
      routes.push(['post', '/api/whatsapp/webhook'], ['post', '/api/whatsapp/webhook/{event}']);
      routes.push(['post', '/api/auth/sign-in/email'], ['post', '/api/auth/sign-up/email']);
      expect(routes.length).toBeGreaterThan(30);

      const random = seededRandom(SEED);
      const anonymous = new HttpClient(service.url);
      const callers = [ana.client, keyClient, anonymous];
      const problems: string[] = [];
      // Heap after a full collection (with NODE_OPTIONS=--expose-gc), at the start, halfway and at
      // the end: a leak shows as growth between the last two.
      const heapMb = () => {
        (globalThis as { gc?: () => void }).gc?.();
        return Math.round(process.memoryUsage().heapUsed / 1_048_576);
      };
      const heap = [heapMb()];
      for (let i = 0; i < REQUESTS; i++) {
        const [method, template] = routes[Math.floor(random() * routes.length)]!;
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
          random() < 0.5 && real[name] ? encodeURIComponent(real[name]!) : randomParam(random),
        );
        const url = path + randomQuery(random);
        const withBody = method !== 'get' && method !== 'delete';
        const body = withBody ? randomBody(random, VALID[template]) : undefined;
        const caller = callers[Math.floor(random() * callers.length)]!;
        const res = await caller.request(method.toUpperCase(), url, body);
        if (i === Math.floor(REQUESTS / 2)) heap.push(heapMb());
        const gatewayDown = res.status === 503 && res.body?.error?.code === 'gateway_unavailable';
        if (res.status >= 500 && !gatewayDown) {
          problems.push(`${res.status} ${method.toUpperCase()} ${url} ${String(body).slice(0, 200)}`);
        }
        const ours = !template.startsWith('/api/auth') && template.startsWith('/api/');
        if (ours && res.status >= 400 && typeof res.body?.error?.code !== 'string') {
          problems.push(`no error body: ${res.status} ${method.toUpperCase()} ${url}`);
        }
      }
      heap.push(heapMb());
      console.log(
        `fuzz: ${REQUESTS} requests over ${routes.length} routes, seed ${SEED}, heap MB start/half/end ${heap.join('/')}`,
      );
      expect(problems).toEqual([]);
      // Still serving, and the advisor's data still answers.
      expect((await ana.client.get('/api/whatsapp/messages')).status).toBe(200);
    },
    Math.max(600_000, REQUESTS * 20),
  );
});
