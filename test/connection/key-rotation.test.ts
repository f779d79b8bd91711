// Key rotation while the service runs, and as the operator runs it. Each row is re-sealed only if
// it still holds what was read: an advisor removing or replacing their connection between the
// read and the write keeps their change (the old credentials are never written back). The
// `rotate-keys` command is then run as a real child process against a database of its own.
import { randomBytes } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { user, whatsappConfig } from '../../src/db/schema/index.js';
import { rotateKeys } from '../../src/domain/crypto/rotate-keys.js';
import { SecretBox } from '../../src/domain/crypto/secret-box.js';
import { instanceRefOf, webhookSecretOf } from '../../src/domain/instances/instance-credentials.js';
import { databaseEnv, spawnCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, testEnv, type TestService } from '../support/service.js';

describe('rotation racing the advisors', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service?.close();
  });

  /** An advisor with an instance (QR out): sealed credentials stored under the service's key. */
  async function withInstance(name: string) {
    const advisor = await signUpAdvisor(service.url, name);
    expect((await advisor.client.post('/api/whatsapp/connect')).status).toBe(200);
    return advisor;
  }

  const sealedOf = async (advisorId: string) => {
    const row = (await findConfig(service.database.db, advisorId))!;
    return { token: row.instanceTokenEnc, secret: row.webhookSecretEnc, row };
  };

  it('never writes credentials back over a removal or a new connection made meanwhile', async () => {
    const removing = await withInstance('Removing');
    const replacing = await withInstance('Replacing');
    const quiet = await withInstance('Quiet');
    const replacedBefore = await sealedOf(replacing.userId);

    const rotated = new SecretBox(randomBytes(32), [service.config.encryption.key]);
    const report = await rotateKeys(service.database.db, rotated, {
      // Between the read of a row and its write, the advisor acts through the API.
      beforeWrite: async (advisorId) => {
        if (advisorId === removing.userId) {
          expect((await removing.client.delete('/api/whatsapp/config')).status).toBe(200);
        }
        if (advisorId === replacing.userId) {
          expect((await replacing.client.delete('/api/whatsapp/config')).status).toBe(200);
          expect((await replacing.client.post('/api/whatsapp/connect')).status).toBe(200);
        }
      },
    });
    expect(report).toMatchObject({ resealed: report.scanned - 2, skipped: 2 });

    // The removal stands: no credentials came back.
    const removed = await sealedOf(removing.userId);
    expect(removed).toMatchObject({ token: null, secret: null });
    expect(removed.row.instanceName).toBeNull();

    // The new connection's credentials stand (still under the service's key: the next run
    // re-seals them), and they are the ones the gateway knows.
    const replaced = await sealedOf(replacing.userId);
    expect(replaced.token).not.toBe(replacedBefore.token);
    expect(rotated.isStale(replaced.token!)).toBe(true);
    const emulator = new HttpClient(service.emulatorUrl);
    const ref = instanceRefOf(rotated, replaced.row)!;
    const state = await fetch(`${service.emulatorUrl}/instance/connectionState/${ref.instanceName}`, {
      headers: { apikey: ref.token },
    });
    expect(state.status).toBe(200);
    expect((await emulator.get(`/_emulator/instances/${ref.instanceName}`)).status).toBe(200);

    // The quiet advisor was re-sealed, and opens to the same values.
    const quietRow = (await sealedOf(quiet.userId)).row;
    expect(rotated.isStale(quietRow.instanceTokenEnc!)).toBe(false);
    expect(webhookSecretOf(rotated, quietRow)).toBeTruthy();

    // A second run picks up what was skipped.
    const again = await rotateKeys(service.database.db, rotated);
    expect(again).toMatchObject({ resealed: 1, skipped: 0 });
    expect(rotated.isStale((await sealedOf(replacing.userId)).token!)).toBe(false);
    expect(await rotateKeys(service.database.db, rotated)).toMatchObject({ resealed: 0, skipped: 0 });
  });
});

describe('the rotate-keys command', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const plain = { token: 'TOKEN-ROTATE-0123456789ABCDEF', secret: 'secret-rotate-abcdefghijklmnop' };
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    const box = new SecretBox(oldKey);
    for (const id of ['rot-a', 'rot-b']) {
      await database.db.insert(user).values({ id, name: id, email: `${id}@example.test` });
      await database.db.insert(whatsappConfig).values({
        advisorId: id,
        publicSlug: id,
        instanceName: `adv_${id}`,
        instanceTokenEnc: box.seal(`${plain.token}-${id}`),
        webhookSecretEnc: box.seal(`${plain.secret}-${id}`),
      });
    }
    // An advisor who never connected: nothing to re-seal.
    await database.db.insert(user).values({ id: 'rot-c', name: 'c', email: 'rot-c@example.test' });
    await database.db.insert(whatsappConfig).values({ advisorId: 'rot-c', publicSlug: 'rot-c' });
    // PGlite allows one process per data directory: hand it over to the child.
    await database.close();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  async function run(keys: { ENCRYPTION_KEY: string; ENCRYPTION_KEYS?: string }) {
    const child = spawnCli(['rotate-keys'], testEnv({ ...databaseEnv(database.location), ...keys }));
    const code = await child.exited;
    return { code, output: child.output() };
  }

  async function readRows() {
    const location = database.location;
    const reopened = await openDatabase(
      location.kind === 'postgres'
        ? { kind: 'postgres', url: location.url }
        : { kind: 'pglite', dir: location.dir },
    );
    try {
      return await reopened.db
        .select()
        .from(whatsappConfig)
        .where(inArray(whatsappConfig.advisorId, ['rot-a', 'rot-b']))
        .orderBy(whatsappConfig.advisorId);
    } finally {
      await reopened.close();
    }
  }

  it('refuses to run without the old key, changing nothing, and says which variable to set', async () => {
    const before = await readRows();
    const run1 = await run({ ENCRYPTION_KEY: newKey.toString('base64') });
    expect(run1.code).not.toBe(0);
    expect(run1.output).toContain('ENCRYPTION_KEYS');
    expect(await readRows()).toEqual(before);
  }, 120_000);

  it('re-seals every credential under the new key, then finds nothing left', async () => {
    const keys = { ENCRYPTION_KEY: newKey.toString('base64'), ENCRYPTION_KEYS: oldKey.toString('base64') };
    const first = await run(keys);
    expect(first.output).toContain(
      `scanned 2 advisors, re-sealed 2 under key ${new SecretBox(newKey).currentKeyId}`,
    );
    expect(first.code).toBe(0);

    const rows = await readRows();
    const onlyNew = new SecretBox(newKey);
    for (const row of rows) {
      const id = row.advisorId;
      expect(onlyNew.open(row.instanceTokenEnc!)).toBe(`${plain.token}-${id}`);
      expect(onlyNew.open(row.webhookSecretEnc!)).toBe(`${plain.secret}-${id}`);
      expect(() => new SecretBox(oldKey).open(row.instanceTokenEnc!)).toThrow(/ENCRYPTION_KEYS/);
    }

    const second = await run(keys);
    expect(second.output).toContain('scanned 2 advisors, re-sealed 0');
    expect(second.code).toBe(0);
    // The old key can now go: the command runs without it.
    const third = await run({ ENCRYPTION_KEY: newKey.toString('base64') });
    expect(third.output).toContain('re-sealed 0');
    expect(third.code).toBe(0);
  }, 180_000);
});
