// Guard order, auth scoping and the exact error envelopes of the gateway (reference §1, §2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { API_KEY, createInstance, startTestEmulator, type TestEmulator } from './testing/harness.js';

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator.close();
});

describe('guard order 404 → 403 → 401', () => {
  it('answers 404 for an unknown instance before checking the key', async () => {
    const reply = await emulator.call('GET', '/instance/connectionState/ghost', { apikey: null });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      status: 404,
      error: 'Not Found',
      response: { message: ['The "ghost" instance does not exist'] },
    });
  });

  it('answers 403 for a taken name on create before checking the key', async () => {
    await createInstance(emulator, 'taken', { open: false });
    const reply = await emulator.call('POST', '/instance/create', {
      body: { instanceName: 'taken', integration: 'WHATSAPP-BAILEYS' },
      apikey: 'wrong',
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({
      status: 403,
      error: 'Forbidden',
      response: { message: ['This name "taken" is already in use.'] },
    });
  });

  it('answers 401 with a string message when the key is missing or wrong', async () => {
    await createInstance(emulator, 'locked', { open: false });
    for (const apikey of [null, 'wrong']) {
      const reply = await emulator.call('GET', '/instance/connectionState/locked', { apikey });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        status: 401,
        error: 'Unauthorized',
        response: { message: 'Unauthorized' },
      });
    }
  });
});

describe('keys', () => {
  it('returns hash as a plain string: the given token, or an uppercase uuid', async () => {
    const given = await emulator.call('POST', '/instance/create', {
      body: { instanceName: 'with-token', integration: 'WHATSAPP-BAILEYS', token: 'my-own-token' },
    });
    expect(given.status).toBe(201);
    expect(given.body.hash).toBe('my-own-token');
    const generated = await emulator.call('POST', '/instance/create', {
      body: { instanceName: 'without-token', integration: 'WHATSAPP-BAILEYS' },
    });
    expect(typeof generated.body.hash).toBe('string');
    expect(generated.body.hash).toMatch(
      /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/,
    );
  });

  it('accepts an instance token only on its own instance', async () => {
    const a = await createInstance(emulator, 'tok-a', { open: false, token: 'token-a' });
    await createInstance(emulator, 'tok-b', { open: false, token: 'token-b' });
    expect((await emulator.call('GET', '/instance/connectionState/tok-a', { apikey: a.token })).status).toBe(
      200,
    );
    expect((await emulator.call('GET', '/instance/connectionState/tok-b', { apikey: a.token })).status).toBe(
      401,
    );
  });

  it('needs the global key to create, even with a valid instance token', async () => {
    await createInstance(emulator, 'tok-c', { open: false, token: 'token-c' });
    const reply = await emulator.call('POST', '/instance/create', {
      body: { instanceName: 'new-one', integration: 'WHATSAPP-BAILEYS' },
      apikey: 'token-c',
    });
    expect(reply.status).toBe(401);
  });

  it('lists only the token owner in fetchInstances, everything with the global key', async () => {
    await createInstance(emulator, 'tok-d', { open: false, token: 'token-d' });
    const own = await emulator.call('GET', '/instance/fetchInstances', { apikey: 'token-d' });
    expect(own.status).toBe(200);
    expect(own.body.map((row: { name: string }) => row.name)).toEqual(['tok-d']);
    const all = await emulator.call('GET', '/instance/fetchInstances', { apikey: API_KEY });
    expect(all.body.length).toBeGreaterThan(1);
    expect((await emulator.call('GET', '/instance/fetchInstances', { apikey: 'nobody' })).status).toBe(401);
  });

  it('serves GET / without a key', async () => {
    const reply = await emulator.call('GET', '/', { apikey: null });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      status: 200,
      message: 'Welcome to the Evolution API, it is working!',
    });
  });
});

describe('validation and unknown routes', () => {
  it('requires a valid integration', async () => {
    for (const integration of [undefined, 'BAILEYS']) {
      const reply = await emulator.call('POST', '/instance/create', {
        body: { instanceName: 'x1', integration },
      });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        status: 400,
        error: 'Bad Request',
        response: { message: ['Invalid integration'] },
      });
    }
  });

  it('lists schema problems as an array of jsonschema-style strings', async () => {
    await createInstance(emulator, 'val', { open: false });
    const reply = await emulator.call('POST', '/message/sendText/val', { body: { number: 5511 } });
    expect(reply.status).toBe(400);
    expect(reply.body.response.message).toEqual(['Invalid format', 'instance requires property "text"']);
  });

  it('answers unknown routes with the Express-style 404', async () => {
    const reply = await emulator.call('PUT', '/instance/restart/val');
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      status: 404,
      error: 'Not Found',
      response: { message: ['Cannot PUT /instance/restart/val'] },
    });
  });

  it('reports broken JSON like body-parser: status 400 but error "Internal Server Error"', async () => {
    const response = await fetch(`${emulator.url}/instance/create`, {
      method: 'POST',
      headers: { apikey: API_KEY, 'content-type': 'application/json' },
      body: '{"instanceName":',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; response: { message: unknown } };
    expect(body.error).toBe('Internal Server Error');
    expect(typeof body.response.message).toBe('string');
  });

  it('serves the same API under /_emulator for sandbox proxies', async () => {
    const reply = await emulator.call('GET', '/_emulator/instance/connectionState/val');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ instance: { instanceName: 'val', state: 'close' } });
  });
});
