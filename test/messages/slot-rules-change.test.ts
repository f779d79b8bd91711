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

describe('a batch held by a pacing cap', () => {
  // Pacing on for this advisor (the sandbox runs without it). Each waiting message's slot is laid
  // out after the previous one's: when the first re-reserved under the lifted cap, the others'
  // slots (laid out under the old cap, an hour ahead) were still counted, so it went after them,
  // and the whole batch still waited the hour (then the next one after it, and so on).
  it('goes out soon after the advisor lifts the cap, every message of it', async () => {
    const bea = await connectedAdvisor(service, 'Bea Tope');
    const pacing = (change: Record<string, unknown>) =>
      bea.client.put('/api/whatsapp/config', { settings: { pacing: change } });
    expect((await pacing({ mode: 'on', minGapMs: 1_000, maxGapMs: 1_000, hourlyCap: 1 })).status).toBe(200);
    const ids: string[] = [];
    for (const [i, text] of ['Uno', 'Dos', 'Tres'].entries()) {
      const res = await bea.client.post('/api/whatsapp/send', { to: `+3461200087${i}`, text });
      expect(res.status).toBe(202);
      ids.push(res.body.message.id as string);
    }
    // The first goes at once; the other two are held an hour and more.
    for (const id of ids.slice(1)) {
      const held = await waitFor(
        () => bea.client.get(`/api/whatsapp/messages/${id}`),
        (r) => r.body.error?.code === 'waiting_for_slot',
        { what: `message ${id} held by the hourly cap` },
      );
      expect(held.body.status).toBe('queued');
    }

    expect((await pacing({ hourlyCap: 60 })).status).toBe(200);
    const sentAt: number[] = [];
    for (const id of ids) {
      const sent = await waitFor(
        () => findMessage(service.database.db, bea.userId, id),
        (m) => m?.sentAt != null,
        { what: `message ${id} sent after the cap was lifted`, timeoutMs: 10_000 },
      );
      sentAt.push(sent!.sentAt!.getTime());
    }
    expect((await sentByPhone(bea)).map((m) => m.text).sort()).toEqual(['Dos', 'Tres', 'Uno']);
    // Still paced by the gap (half of it, for the time a send takes to be recorded).
    expect(Math.abs(sentAt[2]! - sentAt[1]!)).toBeGreaterThanOrEqual(500);
  });
});
