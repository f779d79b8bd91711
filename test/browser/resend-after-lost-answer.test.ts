// A send whose answer never reaches the page (the phone's connection drops just after the request
// left) was stored and goes out all the same; the page can only say it could not reach the
// server. The advisor presses Enviar again, as the notice tells them to: that must not write to
// the client a second time. The Send screen and the inbox reply made a new Idempotency-Key for
// each press, so the server took the repeat for a new message and the client got it twice.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { booking, newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { clientWrites, listedMessages } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { PHONE } from './support/browser.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite, { shotPrefix: 'lost-answer-' });

const NO_CONNECTION = 'No hay conexión con el servidor. Revisa tu internet y vuelve a intentarlo.';

/**
 * The next send reaches the server, which stores it, and its answer is lost on the way back;
 * `meanwhile` runs between the two (time passing while the phone waits for an answer).
 * `served` settles once the server has answered.
 */
async function loseNextSendAnswer(
  page: Page,
  meanwhile: () => Promise<void> = async () => undefined,
  sendUrl = '**/api/whatsapp/send',
): Promise<{ served: Promise<number> }> {
  let answered: (status: number) => void = () => undefined;
  const served = new Promise<number>((resolve) => (answered = resolve));
  await page.route(
    sendUrl,
    async (route) => {
      const response = await route.fetch();
      await meanwhile();
      answered(response.status());
      await route.abort('connectionreset');
    },
    { times: 1 },
  );
  return { served };
}

describe('sending again after the answer was lost', () => {
  it('on the Send screen, keeps the text and sends it once', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Respuesta Perdida');
    const to = newPhone();
    await page.goto('/send');
    await page.getByTestId('recipient').fill(to);
    await page.getByTestId('send-text').fill('Te espero el jueves a las 10:00');
    const { served } = await loseNextSendAnswer(page);
    const submit = page.getByRole('button', { name: 'Enviar', exact: true });
    await submit.click();
    await expect(served).resolves.toBe(202);
    await page.getByRole('alert').getByText(NO_CONNECTION).waitFor();
    await expect(page.getByTestId('send-text').inputValue()).resolves.toBe('Te espero el jueves a las 10:00');

    await submit.click();
    await page.getByTestId('sent-result').waitFor();
    const outbound = await listedMessages(advisor, 'direction=outbound');
    expect(outbound.map((m) => m.text)).toEqual(['Te espero el jueves a las 10:00']);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('schedules once at the time shown, though the minute turned while it waited', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Programa Perdida');
    // The page's clock, running: the suggested time (an hour from now) follows it to the minute.
    await page.clock.install({ time: Date.now() });
    await page.goto('/send');
    await page.getByTestId('recipient').fill(newPhone());
    await page.getByTestId('send-text').fill('Recuerda traer tus análisis');
    await page.getByText('Programar para más tarde').click();
    const shown = await page.getByLabel('Fecha y hora').inputValue();
    const { served } = await loseNextSendAnswer(page, () => page.clock.fastForward(120_000));
    const submit = page.getByRole('button', { name: 'Programar envío', exact: true });
    await submit.click();
    await expect(served).resolves.toBe(202);
    await page.getByRole('alert').getByText(NO_CONNECTION).waitFor();
    await expect(page.getByLabel('Fecha y hora').inputValue()).resolves.toBe(shown);

    await submit.click();
    await page.getByTestId('sent-result').waitFor();
    const outbound = await listedMessages(advisor, 'direction=outbound');
    expect(outbound).toHaveLength(1);
    expect(outbound[0].status).toBe('scheduled');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('in a chat on a phone, keeps the reply and sends it once', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Chat Perdido', PHONE);
    const from = newPhone();
    await clientWrites(advisor, from, '¿Me confirmas la cita?', 'Marta');
    await waitFor(
      async () => (await listedMessages(advisor, 'direction=inbound')).length,
      (n: number) => n === 1,
      { what: 'the client message stored' },
    );
    // The conversation list (where the chat learns the client's name) arrives only after the
    // first press, as on a slow connection: the repeat must still be the same request.
    let releaseList: () => void = () => undefined;
    const listHeld = new Promise<void>((resolve) => (releaseList = resolve));
    await page.route(
      (url) => url.pathname === '/api/whatsapp/conversations',
      async (route) => {
        await listHeld;
        await route.continue();
      },
    );
    await page.goto(`/inbox/${encodeURIComponent(from)}`);
    const reply = page.getByTestId('reply-text');
    await reply.fill('Confirmada, nos vemos el lunes');
    const { served } = await loseNextSendAnswer(page);
    await reply.press('Enter');
    await expect(served).resolves.toBe(202);
    await page.getByRole('alert').getByText(NO_CONNECTION).waitFor();
    await expect(reply.inputValue()).resolves.toBe('Confirmada, nos vemos el lunes');
    releaseList();
    await page.locator('.chat-header').getByText('Marta', { exact: true }).waitFor();

    await reply.press('Enter');
    // The first send's live event may show its bubble before the repeat is answered: the reply
    // box emptying is the repeat's answer.
    await waitFor(
      () => reply.inputValue(),
      (value: string) => value === '',
      { what: 'the repeated reply answered' },
    );
    await expect(
      page.locator('[data-testid="chat-bubble"][data-direction="outbound"]').count(),
    ).resolves.toBe(1);
    const outbound = await listedMessages(advisor, 'direction=outbound');
    expect(outbound.map((m) => m.text)).toEqual(['Confirmada, nos vemos el lunes']);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('on the appointments screen, sends a reminder by hand once', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Recordatorio Perdido');
    const bk = booking({ clientName: 'Rosa Vidal' });
    expect((await advisor.client.post('/api/appointments', bk)).status).toBe(201);
    // The same bad connection keeps the live updates away too: the page cannot learn from them
    // that the planned reminder was replaced, and still offers to send it.
    await page.route('**/api/whatsapp/events', (route) => route.abort('connectionreset'));
    await page.goto('/appointments');
    const reminder = page
      .getByTestId('appointment')
      .filter({ hasText: 'Rosa Vidal' })
      .locator('[data-testid="timeline-item"][data-status="scheduled"]', { hasText: 'Recordatorio' });
    const sendNow = reminder.getByRole('button', { name: 'Enviar ahora' });
    const { served } = await loseNextSendAnswer(page, undefined, '**/api/appointments/*/send');
    await sendNow.click();
    await expect(served).resolves.toBe(202);
    await page.getByText(NO_CONNECTION).waitFor();

    await sendNow.click();
    await page.getByText('Mensaje en camino').waitFor();
    const detail = await advisor.client.get(`/api/appointments/${bk.externalId}`);
    const byHand = detail.body.messages.filter(
      (m: { purpose: string; source: string }) => m.purpose === 'reminder' && m.source === 'dashboard',
    );
    expect(byHand).toHaveLength(1);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
