// A connect that finds the instance name taken adopts the existing instance's token (an earlier
// attempt stopped halfway, or a remove's instance outlived its wait). If a remove cleared the row
// between the connect's look at the gateway and its write, that write used to put the adopted
// token back onto the cleared row: a token with no instance name and no webhook secret, which
// every later connect refused with 409 until the advisor removed the connection once more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { connectInstance } from '../../src/domain/instances/connect-instance.js';
import { removeInstance } from '../../src/domain/instances/disconnect-instance.js';
import { instanceNameFor } from '../../src/domain/instances/instance-credentials.js';
import { withHeldGatewayCall } from '../support/held-gateway.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('connect adopting an instance while a remove runs', () => {
  it('does not write the adopted token onto the removed row, and the next connect works', async () => {
    const { ctx } = service.runtime;
    const { client, userId } = await signUpAdvisor(service.url, 'Guadalupe Sáenz');
    const instanceName = instanceNameFor(userId);
    // An instance under the advisor's name that the row does not know: its token differs.
    const stray = { instanceName, token: 'stray-instance-token-0001' };
    await ctx.gateway.createInstance(stray);

    // The connect has looked the instance up; its answer waits while the remove runs.
    const held = withHeldGatewayCall(ctx, 'fetchInstance', 'after');
    const connecting = connectInstance(held.ctx, userId).then(
      () => 'connected or qr',
      (err: { code?: string }) => err.code ?? String(err),
    );
    await held.waiting; // the connect has seen the stray instance and is about to adopt it
    // The stray instance goes (its own remove finished), then the advisor removes the connection:
    // the gateway no longer knows the name, so the remove clears the row.
    await ctx.gateway.deleteInstance(stray);
    await waitFor(
      () => ctx.gateway.fetchInstance(instanceName),
      (listed) => listed === null,
      { what: 'the stray instance gone from the gateway' },
    );
    await removeInstance(ctx, userId);
    held.release();
    await connecting;

    expect(await findConfig(ctx.db, userId)).toMatchObject({
      status: 'not_configured',
      instanceName: null,
      instanceTokenEnc: null,
      webhookSecretEnc: null,
    });
    expect(await connecting).toBe('state_conflict');
    const again = await client.post('/api/whatsapp/connect');
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('qr_pending');
  });

  it('still adopts the existing instance when nothing races it', async () => {
    const { ctx } = service.runtime;
    const { client, userId } = await signUpAdvisor(service.url, 'Maite Lozano');
    await ctx.gateway.createInstance({
      instanceName: instanceNameFor(userId),
      token: 'stray-instance-token-0002',
    });

    const connect = await client.post('/api/whatsapp/connect');
    expect(connect.status).toBe(200);
    const row = await findConfig(ctx.db, userId);
    expect(service.runtime.box.open(row!.instanceTokenEnc!)).toBe('stray-instance-token-0002');
  });
});
