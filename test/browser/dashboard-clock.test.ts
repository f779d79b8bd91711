// "Today" on a computer whose clock is a few hours fast, late in the advisor's evening: by the
// computer it is already tomorrow. The Citas screen started its list at the computer's today, so
// the appointments still to come this evening were not shown ("No hay citas próximas"), and the
// inbox dated a message received minutes ago by yesterday's weekday. Both take "now" from the
// server's clock (lib/server-clock.ts), as the QR's countdown and the Analítica period do.
import { describe, expect, it } from 'vitest';
import { booking, newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor } from '../support/whatsapp.js';
import { clientWrites, listedMessages, putSettings, shotOnFailure } from './support/advisor-actions.js';
import { openPage } from './support/browser.js';
import { useSessionOf } from './support/session.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();

const HOUR = 3_600_000;

/**
 * A fixed-offset zone where it is now 21:xx, so that a clock a few hours fast is past midnight
 * there while an appointment half an hour from now is still today. Etc/GMT-3 is UTC+3.
 */
function eveningZone(now: number): { zone: string; offsetHours: number } {
  let offset = (21 - new Date(now).getUTCHours() + 24) % 24;
  if (offset > 14) offset -= 24;
  return {
    zone: offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`,
    offsetHours: offset,
  };
}

describe('a computer clock a few hours fast, in the advisor’s evening', () => {
  it("lists this evening's appointments and dates today's messages by their time", async () => {
    const advisor = await connectedAdvisor(suite.web.service, 'Reloj Adelantado');
    const now = Date.now();
    const { zone, offsetHours } = eveningZone(now);
    await putSettings(advisor, { timezone: zone });
    // The computer is in the advisor's zone too: the screens' first look, before the settings
    // arrive, counts days in the zone they count them in after.
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, undefined, {
      timezoneId: zone,
    });
    await useSessionOf(context, advisor.client);
    shotOnFailure(page, 'clock-fast-evening');
    const dayThere = (ms: number) => new Date(ms + offsetHours * HOUR).toISOString().slice(0, 10);
    const today = dayThere(now);
    // Half an hour past the zone's next midnight: 2½ to 3½ hours fast.
    const nextMidnight = Date.parse(`${today}T00:00:00Z`) + 24 * HOUR - offsetHours * HOUR;
    const fast = nextMidnight + HOUR / 2 - now;
    expect(fast).toBeLessThan(4 * HOUR);

    const evening = booking({
      clientName: 'Elena Esta Tarde',
      startsAt: new Date(now + HOUR / 2).toISOString(),
      timezone: zone,
    });
    expect(dayThere(Date.parse(evening.startsAt))).toBe(today);
    expect((await advisor.client.post('/api/appointments', evening)).status).toBe(201);
    const from = newPhone();
    await clientWrites(advisor, from, 'Hola, ¿sigue en pie lo de esta tarde?', 'Elena');
    await waitFor(
      () => listedMessages(advisor, 'direction=inbound'),
      (items: unknown[]) => items.length === 1,
      { what: 'the client message stored' },
    );

    await page.clock.install({ time: Date.now() + fast });
    await page.goto('/appointments');
    const appointment = page.getByTestId('appointment').filter({ hasText: 'Elena Esta Tarde' });
    await appointment.or(page.getByText('No hay citas próximas')).waitFor();
    await expect(appointment.count()).resolves.toBe(1);
    await expect(page.getByLabel('Desde').inputValue()).resolves.toBe(today);

    await page.goto('/inbox');
    const time = page.locator(`[data-testid="conversation"][data-phone="${from}"] .conversation-time`);
    await time.waitFor();
    await expect(time.innerText()).resolves.toMatch(/^\d{1,2}:\d{2}$/);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
