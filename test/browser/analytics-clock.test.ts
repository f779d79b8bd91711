// The Analítica screen on a computer whose clock is behind the server's. The period it asks for
// ended at the browser's "now": with a clock ten minutes slow, a new advisor's first messages
// and the linking of their number, minutes old, fell after its end, and the screen said "Sin
// mensajes en este periodo" and "Sin cambios de conexión". The period ends by the server's clock
// (lib/server-clock.ts), as the QR's countdown does.
import { describe, expect, it } from 'vitest';
import { newPhone } from '../appointments/support.js';
import { sendAs, untilStatus } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite);

describe('analytics on a computer ten minutes slow', () => {
  it("counts the messages just sent and the linking just done, up to the server's now", async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Reloj Atrasado');
    const sent = await sendAs(advisor, { to: newPhone(), text: 'Hola, te escribo por tu cita.' });
    await untilStatus(advisor, sent.id, ['delivered', 'read']);
    await page.clock.install({ time: Date.now() - 10 * 60_000 });

    const asked = page.waitForRequest((r) => r.url().includes('/api/whatsapp/metrics?'));
    await page.goto('/analytics');
    const until = new URL((await asked).url()).searchParams.get('until')!;
    expect(Date.parse(until)).toBeGreaterThanOrEqual(Date.parse(sent.createdAt));
    const delivered = page.locator('.rate', { hasText: 'Entregados' }).locator('.rate-value');
    await delivered.waitFor();
    await expect(delivered.textContent()).resolves.toMatch(/^100\s%$/);
    await expect(page.getByText('Sin mensajes en este periodo').count()).resolves.toBe(0);
    await expect(page.getByText('Sin cambios de conexión en este periodo.').count()).resolves.toBe(0);
    // No client has replied: the reply time says so, not "9 de cada 10 en menos de —" (review).
    const replyTime = page.locator('.stat', { hasText: 'Tiempo hasta la respuesta' });
    await replyTime.getByText('Ninguna respuesta en este periodo').waitFor();
    await expect(page.getByText('9 de cada 10 en menos de —').count()).resolves.toBe(0);
    await expect(
      page
        .locator('.stat', { hasText: 'Tiempo hasta la entrega' })
        .getByText(/^9 de cada 10 en menos de \S/)
        .count(),
    ).resolves.toBe(1);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
