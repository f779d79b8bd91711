// Requests made with x-api-key: the key's check against the database (the cache in front of it is
// off here, API_KEY_CACHE_TTL_MS=0, so each change made behind the service's back shows on the
// next request; credential-cache.test.ts tests the cache), by one read instead of better-auth's verifyApiKey, which also wrote `lastRequest` every
// time. What better-auth refuses is still refused at once (disabled, expired, revoked, owner gone),
// what it manages itself (a usage quota) is still left to it, and `lastRequest` is kept to the
// minute instead of rewritten by every request. A banned owner's keys are refused as well.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAST_REQUEST_RESOLUTION_MS } from '../../src/auth/api-key-check.js';
import { apikey, user } from '../../src/db/schema/index.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused', API_KEY_CACHE_TTL_MS: '0' },
  });
});
afterAll(async () => {
  await service?.close();
});

interface Key {
  id: string;
  advisorId: string;
  booking: HttpClient;
}

async function newKey(name: string): Promise<Key> {
  const { client, userId } = await signUpAdvisor(service.url, name);
  const created = await client.post('/api/api-keys', { name: 'booking' });
  expect(created.status).toBe(201);
  return {
    id: created.body.id,
    advisorId: userId,
    booking: new HttpClient(service.url, { 'x-api-key': created.body.key }),
  };
}

const keyRow = async (id: string) => {
  const [row] = await service.database.db.select().from(apikey).where(eq(apikey.id, id));
  return row ?? null;
};
const setKey = (id: string, values: Partial<typeof apikey.$inferInsert>) =>
  service.database.db.update(apikey).set(values).where(eq(apikey.id, id));

describe('a good key', () => {
  it('acts as its owner, and stamps lastRequest once a minute, not on every request', async () => {
    const key = await newKey('Lola');
    expect(await keyRow(key.id)).toMatchObject({ lastRequest: null });

    const list = await key.booking.get('/api/api-keys');
    expect(list.status).toBe(200);
    expect(list.body.items.map((k: { id: string }) => k.id)).toEqual([key.id]);
    const first = (await keyRow(key.id))!.lastRequest;
    expect(first).toBeInstanceOf(Date);

    // Stamped 10 s ago: a request now leaves the stamp alone (better-auth's verify rewrote it).
    const recent = new Date(Date.now() - 10_000);
    await setKey(key.id, { lastRequest: recent });
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    expect((await keyRow(key.id))!.lastRequest).toEqual(recent);

    // Older than the resolution: the next request stamps it again.
    const stale = new Date(Date.now() - LAST_REQUEST_RESOLUTION_MS - 5_000);
    await setKey(key.id, { lastRequest: stale });
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    expect((await keyRow(key.id))!.lastRequest!.getTime()).toBeGreaterThan(recent.getTime());
  });
});

describe('a key that must not work', () => {
  it('is refused on its next request once disabled, and works again when re-enabled', async () => {
    const key = await newKey('Mara');
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    await setKey(key.id, { enabled: false });
    const refused = await key.booking.get('/api/api-keys');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
    await setKey(key.id, { enabled: true });
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
  });

  it('is refused once expired, and better-auth deletes it as it always did', async () => {
    const key = await newKey('Nora');
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    await setKey(key.id, { expiresAt: new Date(Date.now() - 1_000) });
    expect((await key.booking.get('/api/api-keys')).status).toBe(401);
    expect(await keyRow(key.id)).toBeNull();
  });

  it('is refused once its owner is gone', async () => {
    const key = await newKey('Olga');
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    await service.database.db.delete(user).where(eq(user.id, key.advisorId));
    const refused = await key.booking.get('/api/api-keys');
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/no longer exists|invalid or revoked/);
  });
});

describe('a key whose owner an admin banned', () => {
  const setOwner = (key: Key, values: Partial<typeof user.$inferInsert>) =>
    service.database.db.update(user).set(values).where(eq(user.id, key.advisorId));

  it('is refused while the ban holds, and works again once it has expired', async () => {
    const key = await newKey('Rita');
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    await setOwner(key, { banned: true, banExpires: new Date(Date.now() + 3_600_000) });
    const refused = await key.booking.get('/api/api-keys');
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/suspended/),
    });
    await setOwner(key, { banExpires: new Date(Date.now() - 1_000) });
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
  });

  it('is refused on the path left to better-auth too (a key with a quota)', async () => {
    const key = await newKey('Sara');
    await setKey(key.id, { remaining: 5 });
    await setOwner(key, { banned: true, banExpires: null });
    const refused = await key.booking.get('/api/api-keys');
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/suspended/);
  });
});

describe('a key with a usage quota', () => {
  it('is left to better-auth, which spends the quota and then refuses the key', async () => {
    const key = await newKey('Paz');
    await setKey(key.id, { remaining: 2 });
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    expect((await keyRow(key.id))!.remaining).toBe(1);
    expect((await key.booking.get('/api/api-keys')).status).toBe(200);
    expect((await key.booking.get('/api/api-keys')).status).toBe(401);
  });
});

describe('many requests with keys at once (their checks share reads)', () => {
  it('each acts as its own key’s owner, and a disabled key among them is refused', async () => {
    const keys = await Promise.all(
      ['Ana', 'Bea', 'Cris', 'Dora', 'Eva'].map((name) => newKey(`${name} lote`)),
    );
    const disabled = keys[2]!;
    await setKey(disabled.id, { enabled: false });
    // Forty requests in flight together: more than the two reads that run at once, so most checks
    // wait and go in a shared read (every key's config is its own: a mix-up would show).
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const key = keys[i % keys.length]!;
        return key.booking.get('/api/api-keys').then((res) => ({ key, res }));
      }),
    );
    for (const { key, res } of answers) {
      if (key === disabled) {
        expect(res.status).toBe(401);
        continue;
      }
      expect(res.status).toBe(200);
      expect(res.body.items.map((k: { id: string }) => k.id)).toEqual([key.id]);
    }
  });
});
