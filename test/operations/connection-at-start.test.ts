// GET /api/whatsapp/metrics says what the connection was at the start of the range
// (`connectionAtStart`): the advisor's last recorded change before `since`. Without it the
// analytics strip, built from the changes inside the range, was grey ("unknown") up to the first
// one, though the history knew the state. Only the advisor's own history is ever read.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

const SINCE = '2026-06-01T00:00:00.000Z';
const UNTIL = '2026-06-10T00:00:00.000Z';
const RANGE = `since=${SINCE}&until=${UNTIL}`;

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

async function history(advisorId: string, events: [status: string, at: string, reason?: string][]) {
  for (const [status, at, reason] of events) {
    await service.database.db.execute(
      sql`insert into connection_event (advisor_id, status, reason, at)
          values (${advisorId}, ${status}, ${reason ?? null}, ${at})`,
    );
  }
}

describe('the connection at the start of the metrics range', () => {
  it('is the last change recorded before the range, never another advisor’s', async () => {
    const ana = await signUpAdvisor(service.url, 'Ana');
    const bea = await signUpAdvisor(service.url, 'Bea');
    await history(ana.userId, [
      ['connected', '2026-05-01T09:00:00Z'],
      ['disconnected', '2026-05-20T10:00:00Z', 'connection_lost'],
      ['connected', '2026-06-03T08:00:00Z'],
    ]);
    // Bea's changes fall between Ana's last one and the range start: they must not be Ana's.
    await history(bea.userId, [
      ['connected', '2026-05-25T00:00:00Z'],
      ['qr_pending', '2026-05-31T23:59:00Z'],
    ]);

    const mine = await ana.client.get(`/api/whatsapp/metrics?${RANGE}`);
    expect(mine.status).toBe(200);
    expect(mine.body.connectionAtStart).toEqual({
      status: 'disconnected',
      reason: 'connection_lost',
      at: '2026-05-20T10:00:00.000Z',
    });
    // The changes inside the range are as before.
    expect(mine.body.connectionHistory).toEqual([
      { status: 'connected', reason: null, at: '2026-06-03T08:00:00.000Z' },
    ]);

    const hers = await bea.client.get(`/api/whatsapp/metrics?${RANGE}`);
    expect(hers.body.connectionAtStart).toEqual({
      status: 'qr_pending',
      reason: null,
      at: '2026-05-31T23:59:00.000Z',
    });
    expect(hers.body.connectionHistory).toEqual([]);
  });

  it('counts a change at the very start of the range in the range, not before it', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Carla');
    await history(userId, [
      ['connecting', '2026-05-31T12:00:00Z'],
      ['connected', SINCE],
    ]);
    const res = await client.get(`/api/whatsapp/metrics?${RANGE}`);
    expect(res.body.connectionAtStart).toMatchObject({
      status: 'connecting',
      at: '2026-05-31T12:00:00.000Z',
    });
    expect(res.body.connectionHistory.map((e: { at: string }) => e.at)).toEqual([SINCE]);
  });

  it('is null when nothing was recorded before the range, whatever other advisors recorded', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Dora');
    const other = await signUpAdvisor(service.url, 'Elena');
    await history(other.userId, [['connected', '2026-05-30T00:00:00Z']]);
    await history(userId, [['connected', '2026-06-05T00:00:00Z']]);
    const res = await client.get(`/api/whatsapp/metrics?${RANGE}`);
    expect(res.status).toBe(200);
    expect(res.body.connectionAtStart).toBeNull();
    expect(res.body.connectionHistory).toHaveLength(1);
  });
});
