// A request Node's HTTP parser refuses before it reaches the app (an Idempotency-Key holding a
// control character, or headers over Node's 16 KB limit) must still get the documented error body
// { error: { code, message, details } } (API.md, "Errors"), not Fastify's default
// {"error":"Bad Request","message":"Client Error","statusCode":400}.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
let cookie: string;
beforeAll(async () => {
  service = await startTestService();
  cookie = (await signUpAdvisor(service.url)).client.cookieHeader();
});
afterAll(async () => {
  await service?.close();
});

/** Sends `head` and a JSON body as bytes on a socket of its own; the status and body answered. */
function rawSend(head: string): Promise<{ status: number; body: any }> {
  const body = JSON.stringify({ to: '+34612000901', text: 'Hola' });
  const { port, hostname } = new URL(service.url);
  const request = Buffer.concat([
    Buffer.from(
      `POST /api/whatsapp/send HTTP/1.1\r\nHost: ${hostname}\r\nOrigin: ${service.url}\r\n` +
        `Cookie: ${cookie}\r\nContent-Type: application/json\r\n`,
      'latin1',
    ),
    Buffer.from(head, 'latin1'),
    Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`),
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [statusLine, ...rest] = text.split('\r\n');
      const payload = rest.join('\r\n').split('\r\n\r\n').slice(1).join('\r\n\r\n');
      resolve({ status: Number(statusLine!.split(' ')[1]), body: JSON.parse(payload) });
    });
  });
}

describe('a request the HTTP parser refuses', () => {
  it('answers an Idempotency-Key holding a control character with 400 invalid_request', async () => {
    const res = await rawSend('Idempotency-Key: order\x01-42\r\n');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'invalid_request', message: expect.any(String), details: {} },
    });
  });

  it('answers headers over the size limit (a 20 KB Idempotency-Key) with 431 in the error body', async () => {
    const res = await rawSend(`Idempotency-Key: ${'k'.repeat(20_000)}\r\n`);
    expect(res.status).toBe(431);
    expect(res.body).toEqual({
      error: { code: 'headers_too_large', message: expect.any(String), details: {} },
    });
  });

  it('still sends a well-formed request', async () => {
    const res = await rawSend('Idempotency-Key: order-42\r\n');
    expect(res.status).toBe(202);
    expect(res.body.message.phone).toBe('+34612000901');
  });
});

// API.md: "Idempotency-Key (≤ 255 chars)". Node reads header bytes one character each (latin1),
// so a key of UTF-8 characters (what Go's or curl's clients send as they are) was measured in
// bytes: 128 "ñ" or 64 emoji were already too long.
describe('an Idempotency-Key of characters outside ASCII', () => {
  /** The header line for this key, as UTF-8 bytes (rawSend writes each char below 256 as a byte). */
  const keyHeader = (key: string) => `Idempotency-Key: ${Buffer.from(key, 'utf8').toString('latin1')}\r\n`;

  it.each([
    ['255 two-byte characters', 'ñ'.repeat(254) + '1'],
    ['200 emoji', '🌿'.repeat(199) + '2'],
    ['255 characters of three bytes', '€'.repeat(254) + '3'],
  ])('takes %s, and the same key again answers the same message', async (_, key) => {
    const first = await rawSend(keyHeader(key));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await rawSend(keyHeader(key));
    expect(again.status).toBe(202);
    expect(again.body.message.id).toBe(first.body.message.id);
  });

  it.each([
    ['256 ASCII characters', 'k'.repeat(256)],
    ['256 two-byte characters', 'ñ'.repeat(256)],
    ['256 emoji', '🌿'.repeat(256)],
  ])('refuses %s with 400 invalid_request naming the header', async (_, key) => {
    const res = await rawSend(keyHeader(key));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_request',
      details: { fields: [{ field: 'idempotency-key', message: expect.stringMatching(/255 characters/) }] },
    });
  });
});

// The check counts characters in a refinement, which zod cannot turn into JSON Schema: the served
// OpenAPI document lost the header's maxLength when the check moved there.
describe('the OpenAPI document', () => {
  it('states the Idempotency-Key limits on every route that takes the header', async () => {
    const doc = (await (await fetch(`${service.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: object }[] }>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        (operation.parameters ?? [])
          .filter((p) => p.in === 'header' && p.name === 'idempotency-key')
          .map((p) => [`${method.toUpperCase()} ${path}`, p.schema] as const),
      ),
    );
    expect(documented.map(([route]) => route).sort()).toEqual([
      'POST /api/appointments/{externalId}/send',
      'POST /api/whatsapp/conversations/{phone}/reply',
      'POST /api/whatsapp/send',
    ]);
    for (const [route, schema] of documented) {
      expect(schema, route).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
    }
  });
});
