// Why an automated message did not go out, in the advisor's language: a reminder skipped because
// its time had passed when the appointment was booked, and one replaced when the appointment moved.
// The server records these reasons in English, with UTC instants in them ("The reminder time
// (2026-12-05T11:22:50.493Z) had already passed…"); the dashboard showed that sentence as it came,
// on the appointment's timeline and in the message history, under Spanish everywhere else.
import { describe, expect, it } from 'vitest';
import { booking, bookingAdvisor, inSeconds } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { DESKTOP, openPage } from './support/browser.js';
import { useSessionOf } from './support/session.js';
import { shotOnFailure } from './support/advisor-actions.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();

describe('a message that did not go out', () => {
  it("says why in the advisor's language, on the timeline and in the history", async () => {
    const advisor = await bookingAdvisor(suite.web.service, 'Olga Motivos', { lateReminder: 'skip' });
    // In two hours: the reminder's time (a day before) had passed, and late reminders are skipped.
    const soon = booking({ clientName: 'Pepa Pronto', startsAt: inSeconds(2 * 3_600).toISOString() });
    const booked = await advisor.api.post('/api/appointments', soon);
    expect(booked.status).toBe(201);
    const skipped = booked.body.messages.find((m: any) => m.purpose === 'reminder');
    expect([skipped.status, skipped.error.code]).toEqual(['skipped', 'reminder_time_passed']);
    // In three days, then moved a day later: the reminder planned first is replaced.
    const later = booking({ clientName: 'Rita Cambia', startsAt: inSeconds(3 * 86_400).toISOString() });
    expect((await advisor.api.post('/api/appointments', later)).status).toBe(201);
    const moved = await advisor.api.patch(`/api/appointments/${encodeURIComponent(later.externalId)}`, {
      startsAt: inSeconds(4 * 86_400).toISOString(),
    });
    expect(moved.status).toBe(200);
    const replaced = await waitFor(
      async () => (await advisor.client.get('/api/whatsapp/messages?status=cancelled')).body.items,
      (items: any[]) => items.some((m) => m.error?.code === 'rescheduled'),
      { what: 'the first reminder replaced' },
    );
    const replacedId = replaced.find((m: any) => m.error?.code === 'rescheduled').id;

    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, DESKTOP);
    await useSessionOf(context, advisor.client);
    shotOnFailure(page, 'outcome-words');
    const english = /The |appointment|\d{4}-\d{2}-\d{2}T/;

    await page.goto('/appointments');
    const step = page
      .getByTestId('appointment')
      .filter({ hasText: 'Pepa Pronto' })
      .locator('[data-testid="timeline-item"][data-status="skipped"]', { hasText: 'Recordatorio' });
    await step.waitFor();
    await step.getByText('Ya había pasado la hora del recordatorio cuando se reservó la cita').waitFor();
    await expect(step.innerText()).resolves.not.toMatch(english);

    await page.goto('/messages');
    const row = (id: string) => page.locator(`[data-testid="message-row"][data-id="${id}"]`);
    await row(skipped.id)
      .getByText('Ya había pasado la hora del recordatorio cuando se reservó la cita')
      .waitFor();
    await row(replacedId)
      .getByText('La cita cambió antes de que saliera: va el mensaje de la nueva cita')
      .waitFor();
    for (const id of [skipped.id, replacedId])
      await expect(row(id).innerText()).resolves.not.toMatch(english);
    // A skipped message has no text: the template's name is said once, by its tag, not again as
    // the summary ("Recordatorio de citaRecordatorio de cita").
    const said = await row(skipped.id).locator('td.cell-text').innerText();
    expect(said.match(/Recordatorio de cita/g)).toEqual(['Recordatorio de cita']);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
