// Credentials are checked before anything else about a request: a caller without them learns
// nothing about a route's fields, parameters or body rules, only that it must authenticate (401
// `unauthorized`, API.md "Errors"). An authenticated caller still gets the 400 it always got.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../support/http.js';
import { type TestService } from '../support/service.js';
import { startServiceWithAdmin } from '../support/admin.js';

const PHONE = encodeURIComponent('+34612345678');
const LONG = 'x'.repeat(300);
const BROKEN_JSON = '{"a":';

interface Row {
  /** `METHOD /template`, as the route is declared. */
  route: string;
  /** The concrete request: path (with query) and body, invalid by the route's own schema. */
  path: string;
  body?: unknown;
  /** The authenticated answer to the same request: 400, or 200 for a route that reads no input. */
  authenticated?: 200;
}

// Every authenticated route, each with an input its schema refuses (a body, a query or a path
// parameter), or a malformed JSON body where the route reads none (a GET without inputs: none).
const ROWS: Row[] = [
  { route: 'POST /api/whatsapp/send', path: '/api/whatsapp/send', body: { a: 1 } },
  { route: 'GET /api/whatsapp/messages', path: '/api/whatsapp/messages?limit=999' },
  { route: 'GET /api/whatsapp/messages/:id', path: `/api/whatsapp/messages/${LONG}` },
  { route: 'POST /api/whatsapp/messages/:id/retry', path: `/api/whatsapp/messages/${LONG}/retry` },
  { route: 'POST /api/whatsapp/messages/:id/cancel', path: `/api/whatsapp/messages/${LONG}/cancel` },
  { route: 'GET /api/whatsapp/audit', path: '/api/whatsapp/audit?limit=0' },
  { route: 'GET /api/whatsapp/config', path: '/api/whatsapp/config?refresh=maybe' },
  { route: 'PUT /api/whatsapp/config', path: '/api/whatsapp/config', body: { a: 1 } },
  { route: 'DELETE /api/whatsapp/config', path: '/api/whatsapp/config', body: BROKEN_JSON },
  { route: 'POST /api/whatsapp/connect', path: '/api/whatsapp/connect', body: { phoneNumber: 'x' } },
  { route: 'POST /api/whatsapp/disconnect', path: '/api/whatsapp/disconnect', body: BROKEN_JSON },
  { route: 'POST /api/whatsapp/resume', path: '/api/whatsapp/resume', body: BROKEN_JSON },
  { route: 'GET /api/whatsapp/metrics', path: '/api/whatsapp/metrics?since=yesterday' },
  { route: 'GET /api/admin/metrics', path: '/api/admin/metrics?until=tomorrow' },
  { route: 'PUT /api/admin/advisors/:id/features', path: '/api/admin/advisors/x/features', body: { a: 1 } },
  { route: 'GET /api/whatsapp/conversations', path: '/api/whatsapp/conversations?limit=0' },
  {
    route: 'GET /api/whatsapp/conversations/unread',
    path: '/api/whatsapp/conversations/unread',
    authenticated: 200,
  },
  {
    route: 'GET /api/whatsapp/conversations/:phone/messages',
    path: `/api/whatsapp/conversations/${PHONE}/messages?limit=999`,
  },
  {
    route: 'POST /api/whatsapp/conversations/:phone/read',
    path: `/api/whatsapp/conversations/${PHONE}/read`,
    body: BROKEN_JSON,
  },
  {
    route: 'POST /api/whatsapp/conversations/:phone/reply',
    path: `/api/whatsapp/conversations/${PHONE}/reply`,
    body: { text: '' },
  },
  { route: 'GET /api/whatsapp/clients', path: '/api/whatsapp/clients?optedOut=maybe' },
  {
    route: 'PUT /api/whatsapp/clients/:phone',
    path: `/api/whatsapp/clients/${PHONE}`,
    body: { optedOut: 'yes' },
  },
  { route: 'GET /api/whatsapp/templates', path: '/api/whatsapp/templates', authenticated: 200 },
  { route: 'POST /api/whatsapp/templates', path: '/api/whatsapp/templates', body: { a: 1 } },
  { route: 'GET /api/whatsapp/templates/:id', path: `/api/whatsapp/templates/${'x'.repeat(490)}` },
  { route: 'PUT /api/whatsapp/templates/:id', path: '/api/whatsapp/templates/x', body: { a: 1 } },
  { route: 'DELETE /api/whatsapp/templates/:id', path: `/api/whatsapp/templates/${'x'.repeat(490)}` },
  {
    route: 'POST /api/whatsapp/templates/:id/preview',
    path: '/api/whatsapp/templates/x/preview',
    body: { variables: { a: true } },
  },
  { route: 'GET /api/api-keys', path: '/api/api-keys', authenticated: 200 },
  { route: 'POST /api/api-keys', path: '/api/api-keys', body: { name: 42 } },
  { route: 'DELETE /api/api-keys/:id', path: `/api/api-keys/${LONG}` },
  { route: 'GET /api/appointments', path: '/api/appointments?limit=999' },
  { route: 'POST /api/appointments', path: '/api/appointments', body: { a: 1 } },
  { route: 'GET /api/appointments/:externalId', path: `/api/appointments/${LONG}` },
  { route: 'PATCH /api/appointments/:externalId', path: '/api/appointments/x', body: { a: 1 } },
  { route: 'POST /api/appointments/:externalId/cancel', path: `/api/appointments/${LONG}/cancel` },
  { route: 'POST /api/appointments/:externalId/send', path: '/api/appointments/x/send', body: { kind: 'x' } },
];

// Routes that ask for no credentials (API.md: public CTA, webhook, auth, health, metrics).
const PUBLIC = [
  /^\/api\/public\//,
  /^\/api\/whatsapp\/webhook/,
  /^\/api\/auth\//,
  /^\/(health|ready|metrics)$/,
];

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin({ HTTP_BODY_LIMIT: '4096' }));
});
afterAll(async () => {
  await service?.close();
});

const methodOf = (row: Row) => row.route.split(' ')[0]!;
const send = (client: HttpClient, row: Row, headers: Record<string, string> = {}) =>
  client.request(methodOf(row), row.path, row.body, headers);

describe('authentication comes before validation', () => {
  it('covers every authenticated route the API documents', async () => {
    const doc = await admin.get('/docs/json');
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/') && !PUBLIC.some((re) => re.test(path)))
      .flatMap(([path, methods]) =>
        Object.keys(methods)
          .filter((m) => m !== 'head')
          .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
    expect(ROWS.map((r) => r.route).sort()).toEqual([...new Set(documented)].sort());
  });

  it.each(ROWS)('$route: 401 without credentials, whatever the input', async (row) => {
    const anonymous = new HttpClient(service.url);
    const made_up = anonymous.withHeaders({ 'x-api-key': 'ww_made_up_key' });
    for (const client of [anonymous, made_up]) {
      const res = await send(client, row);
      expect(res.status, `${row.route} ${row.path}`).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: {} } });
    }
  });

  it('answers 401 before reading the body: malformed JSON, a foreign content type, too large', async () => {
    const anonymous = new HttpClient(service.url);
    const bodies: [string, Record<string, string>][] = [
      [BROKEN_JSON, { 'content-type': 'application/json' }],
      ['<a/>', { 'content-type': 'text/xml' }],
      [JSON.stringify({ text: 'x'.repeat(8000) }), { 'content-type': 'application/json' }],
    ];
    for (const row of ROWS.filter((r) => r.body !== undefined && methodOf(r) !== 'GET')) {
      for (const [body, headers] of bodies) {
        const res = await anonymous.request(methodOf(row), row.path, body, headers);
        expect(res.status, `${row.route} ${headers['content-type']} ${body.length}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
  });

  it.each(ROWS)('$route: an authenticated caller still gets its 400', async (row) => {
    const res = await send(admin, row);
    expect(res.status, `${row.route} ${row.path}: ${JSON.stringify(res.body)}`).toBe(
      row.authenticated ?? 400,
    );
    if (res.status === 400) expect(['invalid_request', 'invalid_json']).toContain(res.body.error.code);
  });
});
