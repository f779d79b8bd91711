// Found in review: the Appointments screen listened to `message` events only. An appointment
// booked by the booking module, moved, cancelled, or answered while the screen was open stayed as
// it was at load, and a message planned for it since (a reschedule's new reminder) showed only
// after a reload. It now applies the `appointment` events and adds new messages to their card.
import { describe, expect, it } from 'vitest';
import { booking, bookingAdvisor } from '../appointments/support.js';
import { advisorPages } from './support/advisor-page.js';
import { DESKTOP } from './support/browser.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite, { shotPrefix: 'appointments-live-' });

describe('the Appointments screen, live', () => {
  it('shows a booking, its change and its cancellation made elsewhere, without a reload', async () => {
    const marta = await bookingAdvisor(suite.web.service, 'Marta Directo');
    const { page, pageErrors, context } = await advisorPage('Marta Directo', DESKTOP, marta);
    await page.goto('/appointments');
    await page.locator('main h1').waitFor();
    await page.locator('.live-dot.live-open').waitFor({ state: 'attached' });

    const lucia = booking({ clientName: 'Lucía Directo' });
    const card = page.getByTestId('appointment').filter({ hasText: 'Lucía Directo' });
    const reminders = (status: string) =>
      card.locator(`[data-testid="timeline-item"][data-status="${status}"]`, { hasText: 'Recordatorio' });

    // Booked by the booking module while the screen is open.
    expect((await marta.api.post('/api/appointments', lucia)).status).toBe(201);
    await reminders('scheduled').waitFor();

    // Moved to another address: the planned reminder is replaced by one for the new version.
    const moved = await marta.api.patch(`/api/appointments/${lucia.externalId}`, {
      address: 'Calle Mayor 5, Madrid',
    });
    expect(moved.status).toBe(200);
    await card.getByText('Calle Mayor 5, Madrid', { exact: false }).waitFor();
    await reminders('cancelled').waitFor();
    await expect(reminders('scheduled').count()).resolves.toBe(1);

    // Cancelled by the booking module.
    expect((await marta.api.post(`/api/appointments/${lucia.externalId}/cancel`)).status).toBe(200);
    await card.getByText('Cancelada', { exact: false }).waitFor();
    await expect(reminders('scheduled').count()).resolves.toBe(0);
    await expect(page.getByTestId('appointment').count()).resolves.toBe(1);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
