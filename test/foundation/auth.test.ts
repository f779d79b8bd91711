import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused' },
  });
});
afterAll(async () => {
  await service?.close();
});

describe('advisor accounts', () => {
  it('signs up, reads the session, signs out and signs back in', async () => {
    const { client, email } = await signUpAdvisor(service.url, 'Ana');
    const session = await client.get('/api/auth/get-session');
    expect(session.status).toBe(200);
    expect(session.body.user.email).toBe(email);

    expect((await client.post('/api/auth/sign-out')).status).toBe(200);
    const after = await client.get('/api/auth/get-session');
    expect(after.body).toBeNull();

    const fresh = new HttpClient(service.url);
    const bad = await fresh.post('/api/auth/sign-in/email', { email, password: 'wrong-password' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthorized');
    const ok = await fresh.post('/api/auth/sign-in/email', { email, password: 'correct-horse-9' });
    expect(ok.status).toBe(200);
    expect((await fresh.get('/api/api-keys')).status).toBe(200);
  });

  it('refuses an empty or over-long name, at sign-up and when changed, with 422', async () => {
    const fresh = new HttpClient(service.url);
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const res = await fresh.post('/api/auth/sign-up/email', {
        name,
        email: `name${Math.random()}@example.test`,
        password: 'correct-horse-9',
      });
      expect(res.status, JSON.stringify(name.slice(0, 5))).toBe(422);
      expect(res.body.error).toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/1–100/),
        details: {
          authCode: 'INVALID_NAME',
          fields: [{ field: 'name', message: expect.stringMatching(/1–100/) }],
        },
      });
    }
    const shortPassword = await fresh.post('/api/auth/sign-up/email', {
      name: 'Ana',
      email: `pw${Math.random()}@example.test`,
      password: 'short',
    });
    expect(shortPassword.body.error.details).toMatchObject({
      authCode: 'PASSWORD_TOO_SHORT',
      fields: [{ field: 'password' }],
    });
    const { client } = await signUpAdvisor(service.url, '  Ana María  ');
    expect((await client.get('/api/auth/get-session')).body.user.name).toBe('Ana María');
    const rename = await client.post('/api/auth/update-user', { name: 'y'.repeat(150) });
    expect(rename.status).toBe(422);
    expect((await client.post('/api/auth/update-user', { name: 'Ana M.' })).status).toBe(200);
    expect((await client.get('/api/auth/get-session')).body.user.name).toBe('Ana M.');
    // Not a string is no name either: null was a database error (500), [] an empty name.
    for (const name of [null, [], false, {}, 7, '   ']) {
      const res = await client.post('/api/auth/update-user', { name });
      expect([res.status, res.body.error?.details?.authCode], JSON.stringify(name)).toEqual([
        422,
        'INVALID_NAME',
      ]);
    }
    const image = await client.post('/api/auth/update-user', { image: { a: 1 } });
    expect([image.status, image.body.error?.details?.authCode]).toEqual([422, 'INVALID_IMAGE']);
    expect(image.body.error.details.fields).toEqual([{ field: 'image', message: expect.any(String) }]);
    const session = (await client.get('/api/auth/get-session')).body.user;
    expect([session.name, session.image ?? null]).toEqual(['Ana M.', null]);
    expect((await client.post('/api/auth/update-user', { image: null })).status).toBe(200);
  });

  it('outside production, takes sign-ups from the dashboard opened as localhost or 127.0.0.1 alike', async () => {
    // PUBLIC_BASE_URL names 127.0.0.1 here; a browser on http://localhost:<port> was refused.
    // better-auth checks the origin of requests that carry cookies, as a browser's do.
    const port = new URL(service.url).port;
    const cookie = 'theme=dark';
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      const res = await new HttpClient(service.url, { origin, cookie }).post('/api/auth/sign-up/email', {
        name: 'Origen',
        email: `origin${Math.random()}@example.test`,
        password: 'correct-horse-9',
      });
      expect(res.status, origin).toBe(200);
    }
    const elsewhere = await new HttpClient(service.url, { origin: 'http://evil.example', cookie }).post(
      '/api/auth/sign-up/email',
      { name: 'Otro', email: `evil${Math.random()}@example.test`, password: 'correct-horse-9' },
    );
    expect(elsewhere.status).toBe(403);
  });

  it('answers a NUL character in a better-auth body with 400, not a 500 (PostgreSQL cannot store one)', async () => {
    const { client } = await signUpAdvisor(service.url, 'Nula');
    const nul = 'a\u0000b';
    const cases: [HttpClient, string, Record<string, unknown>][] = [
      [client, '/api/auth/update-user', { name: nul }],
      [client, '/api/auth/update-user', { image: nul }],
      [client, '/api/auth/revoke-session', { token: nul }],
      // Anyone may call this one: no session needed.
      [
        new HttpClient(service.url),
        '/api/auth/reset-password',
        { token: nul, newPassword: 'correct-horse-99' },
      ],
      [
        new HttpClient(service.url),
        '/api/auth/sign-up/email',
        {
          name: nul,
          email: `nul${Math.random()}@example.test`,
          password: 'correct-horse-9',
        },
      ],
    ];
    for (const [caller, path, body] of cases) {
      const res = await caller.post(path, body);
      expect([res.status, res.body.error?.code], `${path} ${Object.keys(body)[0]}`).toEqual([
        400,
        'invalid_request',
      ]);
      expect(res.body.error.message).toMatch(/NUL/);
    }
    // The session was left alone, and the name too.
    expect((await client.get('/api/auth/get-session')).body.user.name).toBe('Nula');
  });

  it('refuses protected routes without a session', async () => {
    const res = await new HttpClient(service.url).get('/api/api-keys');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});

describe('API keys for the booking module', () => {
  it('creates a key shown once, lists it without the secret, authenticates with it, and revokes it', async () => {
    const { client } = await signUpAdvisor(service.url, 'Bea');
    const created = await client.post('/api/api-keys', { name: 'booking' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ww_/);

    const list = await client.get('/api/api-keys');
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);

    const asBooking = new HttpClient(service.url, { 'x-api-key': created.body.key });
    expect((await asBooking.get('/api/api-keys')).status).toBe(200);
    // An API key cannot mint more keys, nor revoke the advisor's others (a leaked key would cut
    // every integration off), only itself.
    expect((await asBooking.post('/api/api-keys', { name: 'x' })).status).toBe(403);
    const other = await client.post('/api/api-keys', { name: 'agenda' });
    const cut = await asBooking.delete(`/api/api-keys/${other.body.id}`);
    expect(cut.status).toBe(403);
    expect(cut.body.error.code).toBe('forbidden');
    expect((await client.get('/api/api-keys')).body.items).toHaveLength(2);
    const asAgenda = new HttpClient(service.url, { 'x-api-key': other.body.key });
    expect((await asAgenda.delete(`/api/api-keys/${other.body.id}`)).status).toBe(204);
    expect((await asAgenda.get('/api/api-keys')).status).toBe(401);

    expect((await client.delete(`/api/api-keys/${created.body.id}`)).status).toBe(204);
    const revoked = await asBooking.get('/api/api-keys');
    expect(revoked.status).toBe(401);
  });

  // `name` is 1–32 characters as the schema counts them (code points). better-auth counted its own
  // limit of 32 in UTF-16 units, so a name of 17 to 32 emoji passed the schema and was refused by
  // better-auth: 400 `invalid_json` ("body not JSON") for a valid body, with no field named.
  it('takes a name of up to 32 characters, emoji included, and names the field past that', async () => {
    const { client } = await signUpAdvisor(service.url, 'Emi');
    const name = '🌿'.repeat(32);
    const created = await client.post('/api/api-keys', { name });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.name).toBe(name);
    expect((await client.get('/api/api-keys')).body.items.map((k: { name: string }) => k.name)).toEqual([
      name,
    ]);
    const tooLong = await client.post('/api/api-keys', { name: '🌿'.repeat(33) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({
      code: 'invalid_request',
      details: { fields: [{ field: 'name' }] },
    });
  });

  it("keeps better-auth's own key routes closed: keys are managed, and audited, through /api/api-keys only", async () => {
    const { client } = await signUpAdvisor(service.url, 'Clara');
    const kept = await client.post('/api/api-keys', { name: 'booking' });
    const attempts = [
      await client.post('/api/auth/api-key/create', { name: 'sin rastro', expiresIn: 86_400 }),
      await client.get('/api/auth/api-key/list'),
      await client.post('/api/auth/api-key/update', { keyId: kept.body.id, enabled: false }),
      await client.post('/api/auth/api-key/delete', { keyId: kept.body.id }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(res.body.error.message).toMatch(/\/api\/api-keys/);
    }
    // Nothing was created, changed or removed, and the kept key still works.
    expect((await client.get('/api/api-keys')).body.items.map((k: { name: string }) => k.name)).toEqual([
      'booking',
    ]);
    expect(
      (await new HttpClient(service.url, { 'x-api-key': kept.body.key }).get('/api/api-keys')).status,
    ).toBe(200);
  });

  it('never lets another advisor see or revoke a key', async () => {
    const a = await signUpAdvisor(service.url, 'A');
    const b = await signUpAdvisor(service.url, 'B');
    const key = await a.client.post('/api/api-keys', { name: 'booking' });
    expect((await b.client.get('/api/api-keys')).body.items).toEqual([]);
    const attempt = await b.client.delete(`/api/api-keys/${key.body.id}`);
    expect(attempt.status).toBe(404);
    expect(attempt.body.error.code).toBe('not_found');
    expect((await a.client.get('/api/api-keys')).body.items).toHaveLength(1);
  });

  it('rejects an unknown key with 401', async () => {
    const res = await new HttpClient(service.url, { 'x-api-key': 'ww_not-a-real-key' }).get('/api/api-keys');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('validates the key name', async () => {
    const { client } = await signUpAdvisor(service.url, 'C');
    const res = await client.post('/api/api-keys', { name: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details.fields[0].field).toBe('name');
    // Unknown fields are refused, not ignored: an `expiresIn` would otherwise make a key that
    // never expires while its caller believes it does.
    const extra = await client.post('/api/api-keys', { name: 'caduca', expiresIn: 3600 });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('invalid_request');
  });
});
