// Many appointments for one advisor, booked through the booking module's route (POST
// /api/appointments, one per request) a few at a time, each with its reminder planned days ahead.
import { booking, setSettings, type BookingAdvisor } from '../../appointments/support.js';

export const REMINDER_ES = '/api/whatsapp/templates/builtin:appointment_reminder:es';

/**
 * Books `count` appointments, three days ahead and a minute apart (the first one soonest).
 * Sends are held to one a day first, so the confirmations wait `queued` rather than go out (and
 * be published) while a test looks at what the reminders' edit does.
 */
export async function bookPlannedReminders(
  advisor: BookingAdvisor,
  count: number,
  concurrency = 8,
): Promise<string[]> {
  await setSettings(advisor, { rateLimit: { max: 1, durationMs: 86_400_000 } });
  const start = Date.now() + 3 * 86_400_000;
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const body = booking({
        clientName: `Cliente ${i}`,
        startsAt: new Date(start + i * 60_000).toISOString(),
      });
      ids[i] = body.externalId;
      const res = await advisor.api.post('/api/appointments', body);
      if (res.status !== 201) throw new Error(`booking ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}
