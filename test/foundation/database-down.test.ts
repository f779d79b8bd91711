// The database unreachable while the process runs: API routes answer 503 `database_unavailable`
// in the documented error body (never a 500), /ready names the database, and the process stays up.
// PostgreSQL is reached through a relay this test closes, so its port really is closed: a TCP
// port, and a Unix socket as a same-host deployment uses (closed, the socket file is gone and
// connecting fails with ENOENT rather than ECONNREFUSED). Embedded PGlite has no port, so it is
// closed under the running service instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiBehindRelay, type ApiBehindRelay } from '../support/api-behind-relay.js';
import { createTestDatabase } from '../support/database.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import type { Transport } from '../support/pg-relay.js';

const testDatabase = await createTestDatabase();
const transports: Transport[] = testDatabase.location.kind === 'postgres' ? ['tcp', 'unix socket'] : [];

afterAll(async () => {
  await testDatabase.destroy();
});

describe.each(transports.length > 0 ? transports : ['embedded'])(
  'when the database becomes unreachable (%s)',
  (transport) => {
    let api: ApiBehindRelay;
    beforeAll(async () => {
      api = await startApiBehindRelay(testDatabase, {
        ...(transport === 'embedded' ? {} : { transport: transport as Transport }),
      });
    });
    afterAll(async () => {
      await api?.close();
    });

    it('answers API calls with 503 database_unavailable, and /ready names the database', async () => {
      const { url, relay, database } = api;
      const { client } = await signUpAdvisor(url);
      expect((await client.get('/api/whatsapp/config')).status).toBe(200);

      if (relay) await relay.cut();
      else await database.close();

      for (const call of [
        () => client.get('/api/whatsapp/config'),
        () => client.get('/api/whatsapp/messages'),
        () =>
          new HttpClient(url).post('/api/auth/sign-in/email', {
            email: 'a@example.test',
            password: 'x'.repeat(12),
          }),
      ]) {
        const res = await call();
        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          error: { code: 'database_unavailable', message: expect.stringMatching(/database/i), details: {} },
        });
      }

      const ready = await client.get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.code).toBe('service_unavailable');
      expect(ready.body.error.details.checks.database.ok).toBe(false);
      expect(ready.body.error.details.checks.redis.ok).toBe(true);
      expect((await client.get('/health')).status).toBe(200);

      // PostgreSQL coming back: the same process serves again on fresh connections.
      if (relay) {
        await relay.restore();
        expect((await client.get('/api/whatsapp/config')).status).toBe(200);
        expect((await client.get('/ready')).status).toBe(200);
      }
    });
  },
);
