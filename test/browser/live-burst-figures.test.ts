// A measurement (off unless BURST_FIGURES is set, e.g. BURST_FIGURES=3000): an
// advisor with that many planned reminders edits the reminder template, and the dashboard
// receives one live `message` event per rewritten reminder at once. Prints, for the history
// screen and the Appointments screen, how long the page's main thread worked on the burst and how
// long it froze. The figures are in docs/ARCHITECTURE.md ("The dashboard under a burst").
import type { CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bookingAdvisor, type BookingAdvisor } from '../appointments/support.js';
import { advisorPages } from './support/advisor-page.js';
import { burstFigures, installBurstProbe, resetBurstProbe } from './support/burst-probe.js';
import { bookPlannedReminders, REMINDER_ES } from './support/planned-reminders.js';
import { useWebAndBrowser } from './support/suite.js';

const COUNT = Number(process.env.BURST_FIGURES ?? 0);

/** Milliseconds the renderer's main thread spent on tasks, from Chromium's own counters. */
async function taskMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
}

async function measureEdit(page: Page, advisor: BookingAdvisor, version: number, rowSelector?: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const text = `Versión ${version}`;
  await resetBurstProbe(
    page,
    rowSelector ? { selector: rowSelector, having: 'Recordatorio', text } : undefined,
  );
  // What the page does in 2 s of quiet (its probe's frame loop, timers): the burst's share is the rest.
  const idleFrom = await taskMs(cdp);
  await page.waitForTimeout(2_000);
  const before = await taskMs(cdp);
  const idleMs = Math.round(before - idleFrom);
  const edit = await advisor.client.put(REMINDER_ES, {
    body: `${text}: {nombre_cliente}, te espero el {fecha_cita} a las {hora_cita}. {nombre_asesor}`,
  });
  expect(edit.status).toBe(200);
  const rerendered = edit.body.rerendered as number;
  // Every planned reminder was rewritten, so the figures are those of a burst of COUNT events.
  expect(rerendered).toBe(COUNT);
  await page.waitForFunction((n) => window.__burst.events.length >= n, rerendered, { timeout: 120_000 });
  // Let the last renders land, then read what the thread did.
  await page.waitForTimeout(2_000);
  const busy = Math.round((await taskMs(cdp)) - before);
  return { rerendered, mainThreadMs: busy, idleMs, ...(await burstFigures(page)) };
}

describe.skipIf(!COUNT)(`the dashboard under a burst of ${COUNT} live events`, () => {
  const suite = useWebAndBrowser({ testTimeoutMs: 900_000 });
  const advisorPage = advisorPages(suite, { shotPrefix: 'burst-figures-' });

  it('measures the history and the Appointments screen', async () => {
    const ana = await bookingAdvisor(suite.web.service, 'Ana Ráfaga');
    const booked = Date.now();
    await bookPlannedReminders(ana, COUNT);
    console.log(`booked ${COUNT} in ${Date.now() - booked} ms`);

    const { page, context } = await advisorPage('Ana Ráfaga', undefined, ana);
    await installBurstProbe(context);

    await page.goto('/messages');
    await page.getByTestId('message-row').first().waitFor();
    await page.locator('.live-dot.live-open').waitFor({ state: 'attached' });
    const history = await measureEdit(page, ana, 1, '[data-testid="message-row"][data-status="scheduled"]');
    console.log('history screen', JSON.stringify(history));

    await page.goto('/appointments');
    await page.getByTestId('appointment').first().waitFor();
    await page.locator('.live-dot.live-open').waitFor({ state: 'attached' });
    const appointments = await measureEdit(page, ana, 2);
    console.log('appointments screen', JSON.stringify(appointments));

    // A screen that listens to no `message` event: what the stream and its parsing cost alone.
    await page.goto('/templates');
    await page.locator('main h1').waitFor();
    await page.locator('.live-dot.live-open').waitFor({ state: 'attached' });
    const floor = await measureEdit(page, ana, 3);
    console.log('templates screen (no listener)', JSON.stringify(floor));
    await context.close();
  });
});
