// A message held for a slot far ahead (QA: the pacing daily cap reached, the next messages held
// a day) used to keep waiting that day after the advisor relaxed the limit, resumed or
// reconnected: its job kept the slot it had reserved. A change of the rate limit or pacing now
// wakes the waiting messages, and a slot reserved under other rules is reserved anew.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana Límite');
});
afterAll(async () => {
  await service?.close();
});

describe('a message held for a slot a day away', () => {
  it('goes out soon after the advisor raises the limit that held it', async () => {
    const day = 86_400_000;
    const limit = (max: number, durationMs: number) =>
      ana.client.put('/api/whatsapp/config', { settings: { rateLimit: { max, durationMs } } });
    expect((await limit(1, day)).status).toBe(200);
    const first = await ana.client.post('/api/whatsapp/send', { to: '+34612000861', text: 'Uno' });
    const second = await ana.client.post('/api/whatsapp/send', { to: '+34612000862', text: 'Dos' });
    await waitFor(
      () => findMessage(service.database.db, ana.userId, first.body.message.id),
      (m) => m?.sentAt != null,
      { what: 'the first message sent' },
    );
    // The second holds a slot a day away, and says so (a bare "queued" looked stuck).
    const held = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${second.body.message.id}`),
      (r) => r.body.error !== null,
      { what: 'the held message saying why' },
    );
    expect(held.body).toMatchObject({ status: 'queued', sentAt: null, error: { code: 'waiting_for_slot' } });
    const until = new Date(/until about (\S+)\.$/.exec(held.body.error.message)![1]!).getTime();
    expect(until - Date.now()).toBeGreaterThan(23 * 3_600_000);

    expect((await limit(50, 60_000)).status).toBe(200);
    await waitFor(
      () => findMessage(service.database.db, ana.userId, second.body.message.id),
      (m) => m?.sentAt != null,
      { what: 'the held message sent after the limit was raised', timeoutMs: 10_000 },
    );
    expect((await sentByPhone(ana)).filter((m) => m.text === 'Dos')).toHaveLength(1);
    expect((await ana.client.get(`/api/whatsapp/messages/${second.body.message.id}`)).body.error).toBeNull();
  });
});
