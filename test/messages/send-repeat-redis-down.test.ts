// Repeating a send, a reply or a booking while Redis is down. A new message is refused with 503 before anything is
// written (the caller tries again later), but a repeat of one already written, with the same
// Idempotency-Key, is answered from the database like the first time: it used to get the 503 as
// well, because the route looked at Redis before it looked at the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor, type HttpClient } from '../support/http.js';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy.js';
import { deletePrefix, startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';

let proxy: RedisProxy;
let service: TestService;
beforeAll(async () => {
  proxy = await startRedisProxy();
  service = await startTestService({ env: { REDIS_URL: proxy.url } });
});
afterAll(async () => {
  await service?.close();
  // The service's Redis was the proxy, now cut: clean its keys on the real one.
  if (service)
    await deletePrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', service.config.redis.prefix);
});

const PHONE = '+34612000871';
const send = (client: HttpClient, key: string, text: string) =>
  client.post('/api/whatsapp/send', { to: PHONE, text }, { 'idempotency-key': key });
const reply = (client: HttpClient, key: string, text: string) =>
  client.post(
    `/api/whatsapp/conversations/${encodeURIComponent(PHONE)}/reply`,
    { text },
    { 'idempotency-key': key },
  );

describe('an Idempotency-Key repeat while Redis is down', () => {
  it('gets the message already written; a new message gets 503 and nothing is written', async () => {
    const { client } = await signUpAdvisor(service.url);
    const first = await send(client, 'cita-1', 'Hola');
    expect(first.status).toBe(202);
    const firstReply = await reply(client, 'respuesta-1', 'Gracias');
    expect(firstReply.status).toBe(202);
    const appointment = {
      externalId: 'cita-77',
      clientName: 'Marta',
      clientPhone: '+34612000872',
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      timezone: 'Europe/Madrid',
    };
    const booked = await client.post('/api/appointments', appointment);
    expect(booked.status).toBe(201);

    await proxy.cut();
    await waitFor(
      async () => service.runtime.redis.status,
      (status) => status !== 'ready',
      { what: "the API's Redis connection noticing the outage" },
    );

    const again = await send(client, 'cita-1', 'Hola');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.message.id).toBe(first.body.message.id);
    const replyAgain = await reply(client, 'respuesta-1', 'Gracias');
    expect(replyAgain.status).toBe(202);
    expect(replyAgain.body.message.id).toBe(firstReply.body.message.id);
    const bookedAgain = await client.post('/api/appointments', appointment);
    expect(bookedAgain.status).toBe(201);
    expect(bookedAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(bookedAgain.body.appointment.id).toBe(booked.body.appointment.id);
    // The key's other rule holds too: another body is a conflict, whatever Redis does.
    expect((await send(client, 'cita-1', 'Adiós')).status).toBe(409);

    for (const refused of [
      await send(client, 'cita-2', 'Hola'),
      await reply(client, 'respuesta-2', 'Vale'),
      await client.post('/api/appointments', { ...appointment, externalId: 'cita-78' }),
    ]) {
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('redis_unavailable');
    }
    const history = await client.get('/api/whatsapp/messages');
    expect(history.status).toBe(200);
    expect(history.body.items.map((m: { id: string }) => m.id).sort()).toEqual(
      [
        first.body.message.id,
        firstReply.body.message.id,
        ...booked.body.messages.map((m: { id: string }) => m.id),
      ].sort(),
    );
    expect((await client.get('/api/appointments/cita-78')).status).toBe(404);
  });
});
