// A platform admin removing an account (better-auth's admin remove-user) deletes its rows, but its
// WhatsApp instance lives on the gateway: it used to stay there, linked to the advisor's phone,
// owned by nobody, with no way left to unlink it from here. It is removed first now, and when the
// gateway cannot remove it the account stays, so the admin can try again.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apikey, user } from '../../src/db/schema/index.js';
import { startServiceWithAdmin } from '../support/admin.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import type { TestService } from '../support/service.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin());
});
afterAll(async () => {
  await service?.close();
});

const accountExists = async (userId: string) =>
  (await service.database.db.select({ id: user.id }).from(user).where(eq(user.id, userId))).length === 1;

describe("removing an advisor's account", () => {
  it('removes its instance from the gateway, and keeps the account while the gateway cannot', async () => {
    const ana = await connectedAdvisor(service, 'Ana Baja');
    const instance = `/_emulator/instances/${ana.instanceName}`;
    expect((await ana.emulator.get(instance)).status).toBe(200);

    // The gateway fails every call: the account is not removed, the number stays as it was.
    expect((await ana.emulator.put('/_emulator/faults', { errorRate: 1 })).status).toBe(200);
    const refused = await admin.post('/api/auth/admin/remove-user', { userId: ana.userId });
    expect((await ana.emulator.delete('/_emulator/faults')).status).toBe(200);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'gateway_unavailable',
      details: { authCode: 'GATEWAY_UNAVAILABLE' },
    });
    expect(await accountExists(ana.userId)).toBe(true);
    expect((await ana.emulator.get(instance)).status).toBe(200);

    // Once the gateway answers, the removal goes through and takes the instance with it.
    const removed = await admin.post('/api/auth/admin/remove-user', { userId: ana.userId });
    expect(removed.status).toBe(200);
    expect(await accountExists(ana.userId)).toBe(false);
    expect((await ana.emulator.get(instance)).status).toBe(404);
  });

  it('removes an account that never connected a number', async () => {
    const bea = await signUpAdvisor(service.url, 'Bea Sin Número');
    expect((await bea.client.get('/api/whatsapp/config')).status).toBe(200);
    expect((await admin.post('/api/auth/admin/remove-user', { userId: bea.userId })).status).toBe(200);
    expect(await accountExists(bea.userId)).toBe(false);
  });

  it('removes its API keys with it (their table has no foreign key to the account)', async () => {
    const cris = await signUpAdvisor(service.url, 'Cris Con Clave');
    const created = await cris.client.post('/api/api-keys', { name: 'booking' });
    expect(created.status).toBe(201);
    const booking = new HttpClient(service.url, { 'x-api-key': created.body.key });
    expect((await booking.get('/api/api-keys')).status).toBe(200);
    const keysOf = async (userId: string) =>
      service.database.db.select({ id: apikey.id }).from(apikey).where(eq(apikey.referenceId, userId));
    expect(await keysOf(cris.userId)).toHaveLength(1);

    expect((await admin.post('/api/auth/admin/remove-user', { userId: cris.userId })).status).toBe(200);
    expect(await keysOf(cris.userId)).toEqual([]);
    expect((await booking.get('/api/api-keys')).status).toBe(401);
  });
});
