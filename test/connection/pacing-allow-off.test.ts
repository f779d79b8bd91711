// PACING_ALLOW_OFF=false: the operator keeps account-safety pacing from being switched off by an
// advisor. Until 2026-12-07 an advisor's `settings.pacing.mode: "off"` overrode the server
// whatever it said, so a server forcing pacing on (PACING_MODE=on) could not keep a number paced.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappConfig } from '../../src/db/schema/index.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ env: { PACING_MODE: 'on', PACING_ALLOW_OFF: 'false' } });
});
afterAll(async () => {
  await service?.close();
});

describe('a server that does not let pacing be switched off', () => {
  it('refuses off naming the field, accepts on and auto, and reads an off stored earlier as auto', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Paced Advisor');
    const off = await client.put('/api/whatsapp/config', { settings: { pacing: { mode: 'off' } } });
    expect(off.status).toBe(422);
    expect(off.body.error.code).toBe('validation_failed');
    expect(off.body.error.details.fields).toEqual([
      expect.objectContaining({ field: 'settings.pacing.mode' }),
    ]);
    expect((await client.get('/api/whatsapp/config')).body.settings.pacing.mode).toBe('auto');

    const on = await client.put('/api/whatsapp/config', { settings: { pacing: { mode: 'on' } } });
    expect(on.status).toBe(200);
    expect(on.body.settings.pacing.mode).toBe('on');

    // Saved while the server allowed it: the server's rule now wins, as tightened bounds do.
    await service.database.db
      .update(whatsappConfig)
      .set({ settings: { pacing: { mode: 'off' } } })
      .where(eq(whatsappConfig.advisorId, userId));
    expect((await client.get('/api/whatsapp/config')).body.settings.pacing.mode).toBe('auto');
  });
});
