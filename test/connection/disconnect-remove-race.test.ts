// A disconnect and a remove of the same connection at once (two tabs, the advisor and an
// integration): the disconnect reads the row, waits on the gateway's logout, and meanwhile the
// remove deletes the instance and clears the row. The disconnect then wrote "disconnected" onto
// the cleared row: a connection with no instance read as a number logged out, not as "not
// configured". Its write now holds only while the row still has the instance it logged out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig, listConnectionEvents } from '../../src/db/repositories/whatsapp-config.repository.js';
import { disconnectInstance, removeInstance } from '../../src/domain/instances/disconnect-instance.js';
import { withHeldGatewayCall } from '../support/held-gateway.js';
import { startTestService, type TestService } from '../support/service.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('disconnect racing remove', () => {
  it('leaves the removed connection not configured, and says the connection is gone', async () => {
    const { ctx } = service.runtime;
    const advisor = await connectedAdvisor(service, 'Dolores Ríos');
    const held = withHeldGatewayCall(ctx, 'logout', 'before');
    const since = new Date();

    const disconnecting = disconnectInstance(held.ctx, advisor.userId);
    const outcome = disconnecting.then(
      () => 'disconnected',
      (err: { code?: string }) => err.code ?? String(err),
    );
    await held.waiting; // the disconnect has read the row and is at the gateway
    await removeInstance(ctx, advisor.userId);
    held.release();

    expect(await outcome).toBe('not_found');
    const row = await findConfig(ctx.db, advisor.userId);
    expect(row).toMatchObject({ status: 'not_configured', instanceName: null });
    const events = await listConnectionEvents(ctx.db, advisor.userId, since, new Date());
    // The history has the remove, and no logout by the advisor after it.
    expect(events.at(-1)).toMatchObject({ status: 'not_configured', reason: 'removed' });
    expect(events.filter((e) => e.reason === 'advisor')).toEqual([]);
  });

  it('still disconnects when nothing races it', async () => {
    const { ctx } = service.runtime;
    const advisor = await connectedAdvisor(service, 'Inés Vidal');
    expect(await disconnectInstance(ctx, advisor.userId)).toEqual({ status: 'disconnected' });
    expect(await findConfig(ctx.db, advisor.userId)).toMatchObject({
      status: 'disconnected',
      instanceName: advisor.instanceName,
    });
  });
});
