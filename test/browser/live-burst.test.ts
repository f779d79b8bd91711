// An edit of the reminder template rewrites every planned reminder and publishes one live
// `message` event for each, all at once. The dashboard had never been tried with hundreds of
// them arriving together. With the history and the Appointments screen open while a client
// writes and an appointment is cancelled in the middle of the burst: every reminder the history
// shows has the new words, the client's message and the cancellation show, and each screen ends
// as a fresh load of it shows the same data. (What a burst costs the page: live-burst-figures.)
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bookingAdvisor, newPhone } from '../appointments/support.js';
import { clientWrites } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { bookPlannedReminders, REMINDER_ES } from './support/planned-reminders.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite, { shotPrefix: 'live-burst-' });
const PLANNED = 250;
const NEW_WORDS = 'Nueva versión';

/** The history's rows as shown: id, status, and what the row says. */
const historyRows = (page: Page) =>
  page
    .getByTestId('message-row')
    .evaluateAll((rows) =>
      rows.map((r) => `${r.getAttribute('data-id')} ${r.getAttribute('data-status')} ${r.textContent}`),
    );

/** Each appointment card as shown, and the state of each of its messages. */
const appointmentCards = (page: Page) =>
  page
    .getByTestId('appointment')
    .evaluateAll((cards) =>
      cards.map(
        (c) =>
          `${c.textContent} ` +
          [...c.querySelectorAll('[data-testid="timeline-item"]')].map((i) => i.getAttribute('data-status')),
      ),
    );

describe('a burst of live events (a template edit rewriting hundreds of planned reminders)', () => {
  it('reaches every row shown, and loses nothing that arrives in the middle of it', async () => {
    const rita = await bookingAdvisor(suite.web.service, 'Rita Ráfaga');
    const bookings = await bookPlannedReminders(rita, PLANNED);
    const { page: history, context, pageErrors } = await advisorPage('Rita Ráfaga', undefined, rita);
    const appointments = await context.newPage();
    await history.goto('/messages');
    await appointments.goto('/appointments');
    const reminderRows = history
      .locator('[data-testid="message-row"][data-status="scheduled"]')
      .filter({ has: history.locator('.chip-template', { hasText: 'Recordatorio de cita' }) });
    await reminderRows.first().waitFor();
    const first = appointments.getByTestId('appointment').filter({ hasText: 'Cliente 0' });
    await first.waitFor();
    for (const page of [history, appointments])
      await page.locator('.live-dot.live-open').waitFor({ state: 'attached' });
    const shownReminders = await reminderRows.count();
    expect(shownReminders).toBeGreaterThan(10);
    expect(await reminderRows.filter({ hasText: NEW_WORDS }).count()).toBe(0);

    // The edit, a client writing and a cancellation, together: the cancellation waits for the
    // edit's lock and is published right after its burst; the client's message comes in through
    // the webhook worker meanwhile.
    const from = newPhone();
    const [edit, , cancel] = await Promise.all([
      rita.client.put(REMINDER_ES, {
        body: `${NEW_WORDS}: {nombre_cliente}, te espero el {fecha_cita} a las {hora_cita}. {nombre_asesor}`,
      }),
      clientWrites(rita, from, '¿Puedo llevar a mi hija a la consulta?', 'Nora'),
      rita.api.post(`/api/appointments/${bookings[0]}/cancel`),
    ]);
    expect(edit.status).toBe(200);
    expect(edit.body.rerendered).toBeGreaterThanOrEqual(PLANNED - 1);
    expect(cancel.status).toBe(200);

    // Every reminder shown has the new words, as they come in.
    await expect
      .poll(() => reminderRows.filter({ hasText: NEW_WORDS }).count(), { timeout: 20_000 })
      .toBe(shownReminders);
    await history.getByTestId('message-row').filter({ hasText: '¿Puedo llevar a mi hija' }).waitFor();
    await first.getByText('Cancelada', { exact: false }).waitFor();
    await first.locator('[data-testid="timeline-item"][data-status="cancelled"]').first().waitFor();

    // And each screen shows what a fresh load of it shows: no event lost, none applied twice.
    const fresh = await context.newPage();
    await fresh.goto('/messages');
    await fresh.getByTestId('message-row').filter({ hasText: '¿Puedo llevar a mi hija' }).waitFor();
    const liveHistory = await historyRows(history);
    expect(liveHistory.filter((r) => r.includes('Te recuerdo'))).toEqual([]);
    // The live list also keeps the row the client's message pushed off the first page.
    const freshHistory = await historyRows(fresh);
    expect(liveHistory.slice(0, freshHistory.length)).toEqual(freshHistory);
    await fresh.goto('/appointments');
    await fresh.getByTestId('appointment').filter({ hasText: 'Cliente 0' }).getByText('Cancelada').waitFor();
    expect(await appointmentCards(appointments)).toEqual(await appointmentCards(fresh));
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
