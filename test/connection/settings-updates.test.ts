// Settings changes through PUT /api/whatsapp/config: partial changes sent at the same moment
// each keep what the others changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('concurrent partial settings changes', () => {
  it('all stick, whichever order they are written in', async () => {
    const { client } = await signUpAdvisor(service.url, 'Concurrent Settings');
    // Each round changes every field to a value of its own; a lost change shows as a stale value.
    for (let round = 1; round <= 4; round++) {
      const changes = [
        { reminderOffsetMinutes: 60 + round },
        { followUpDelayMinutes: 30 + round },
        { ctaMessage: `Quiero una cita (${round})` },
        { pacing: { hourlyCap: 10 + round } },
        { pacing: { dailyCap: 100 + round } },
        { rescheduleNotice: round % 2 === 0 },
        { lateReminder: round % 2 === 0 ? 'skip' : 'send_now' },
        { rateLimit: { max: 20 + round } },
        { rateLimit: { durationMs: 30_000 + round } },
        { pacing: { warmupDays: round } },
      ];
      const results = await Promise.all(
        changes.map((settings) => client.put('/api/whatsapp/config', { settings })),
      );
      expect(results.map((r) => r.status)).toEqual(changes.map(() => 200));
      const settings = (await client.get('/api/whatsapp/config')).body.settings;
      expect(settings, `round ${round}`).toMatchObject({
        reminderOffsetMinutes: 60 + round,
        followUpDelayMinutes: 30 + round,
        ctaMessage: `Quiero una cita (${round})`,
        rescheduleNotice: round % 2 === 0,
        lateReminder: round % 2 === 0 ? 'skip' : 'send_now',
        rateLimit: { max: 20 + round, durationMs: 30_000 + round },
        pacing: { hourlyCap: 10 + round, dailyCap: 100 + round, warmupDays: round },
      });
    }
  });
});
