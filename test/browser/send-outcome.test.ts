// What the Send screen says once a send is answered: the message's real outcome. It said
// "Mensaje enviado a …" for every status it did not name, so a message the service skipped (the
// client opted out before it went out: the answer to a repeated send, or a live update, carries
// it `skipped` with the reason) read as sent, a reason below contradicting it; and a message queued
// while WhatsApp was connected read "saldrá en cuanto WhatsApp esté conectado".
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { newPhone } from '../appointments/support.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { shotOnFailure } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { openPage } from './support/browser.js';
import { useSessionOf } from './support/session.js';
import { useWebAndBrowser } from './support/suite.js';

// A message waiting for a WhatsApp that is not linked is looked at again this often: the skip
// of a client who opted out meanwhile comes within the test's patience.
const suite = useWebAndBrowser({ service: { env: { RECONNECT_POLL_MS: '200' } } });
const advisorPage = advisorPages(suite, { shotPrefix: 'send-outcome-' });

/** An advisor who has not linked WhatsApp yet (sends wait in the queue), signed in on a page. */
async function unlinkedAdvisorPage(name: string, lang?: string) {
  const { client } = await signUpAdvisor(suite.web.url, name);
  const opened = await openPage(suite.browser, suite.web.url);
  await useSessionOf(opened.context, client);
  if (lang) await opened.context.addInitScript((l) => localStorage.setItem('ww.lang', l), lang);
  shotOnFailure(opened.page, `send-outcome-${name.toLowerCase().replace(/\W+/g, '-')}`);
  return { client, ...opened };
}

/** The advisor records by hand that the client asked for no more messages. */
async function optOut(client: HttpClient, phone: string): Promise<void> {
  const res = await client.put(`/api/whatsapp/clients/${encodeURIComponent(phone)}`, { optedOut: true });
  if (res.status !== 200) throw new Error(`opt-out: ${res.status} ${JSON.stringify(res.body)}`);
}

function untilSkipped(client: HttpClient, phone: string): Promise<unknown> {
  return waitFor(
    async () => (await client.get(`/api/whatsapp/messages?phone=${encodeURIComponent(phone)}`)).body.items,
    (items: { status: string }[]) => items.length === 1 && items[0]!.status === 'skipped',
    { what: `the message to ${phone} skipped` },
  );
}

async function fillText(page: Page, to: string, text: string): Promise<void> {
  await page.goto('/send');
  await page.getByTestId('recipient').fill(to);
  await page.getByTestId('send-text').fill(text);
}

async function close(context: BrowserContext, pageErrors: Error[]): Promise<void> {
  expect(pageErrors).toEqual([]);
  await context.close();
}

describe('the outcome the Send screen tells', () => {
  it('says a send answered as skipped was not sent, and why', async () => {
    const { client, page, context, pageErrors } = await unlinkedAdvisorPage('Omitida Baja');
    const to = newPhone();
    await fillText(page, to, 'Te paso el plan de la semana');
    // The answer is lost; meanwhile the client opts out and the queued message is skipped. The
    // advisor presses again, as the notice says: the same request, answered with that message.
    let served: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (served = resolve));
    await page.route(
      '**/api/whatsapp/send',
      async (route) => {
        await route.fetch();
        await optOut(client, to);
        await untilSkipped(client, to);
        served();
        await route.abort('connectionreset');
      },
      { times: 1 },
    );
    const submit = page.getByRole('button', { name: 'Enviar', exact: true });
    await submit.click();
    await answered;
    await page.getByRole('alert').getByText('No hay conexión con el servidor', { exact: false }).waitFor();
    const repeat = page.waitForResponse('**/api/whatsapp/send');
    await submit.click();
    const body = await (await repeat).json();
    expect([body.message.status, body.message.error?.code]).toEqual(['skipped', 'recipient_opted_out']);

    const result = page.getByTestId('sent-result');
    await result.getByText(/^El mensaje a \+34 .+ no se envió\.$/).waitFor();
    await result.getByText('Este cliente pidió no recibir más mensajes (se dio de baja).').waitFor();
    await expect(result.innerText()).resolves.not.toMatch(/enviado a/i);
    await close(context, pageErrors);
  });

  it('in English, tells a queued message waiting for WhatsApp, then that it was skipped', async () => {
    const { client, page, context, pageErrors } = await unlinkedAdvisorPage('Skipped Live', 'en');
    const to = newPhone();
    await fillText(page, to, 'Your plan for the week');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const result = page.getByTestId('sent-result');
    await result
      .getByText(/^Message to \+34 .+ queued: it goes out as soon as WhatsApp is connected\.$/)
      .waitFor();

    await optOut(client, to);
    await result.getByText(/^The message to \+34 .+ was not sent\.$/).waitFor();
    await result.getByText('This client asked not to receive more messages (opted out).').waitFor();
    await expect(result.innerText()).resolves.not.toMatch(/sent to/i);
    await close(context, pageErrors);
  });

  it('in Portuguese, says a message queued while WhatsApp is connected is being sent', async () => {
    const { page, context, pageErrors } = await advisorPage('Enviando Agora');
    await context.addInitScript(() => localStorage.setItem('ww.lang', 'pt'));
    // No live updates reach the page: it shows the answer as it came, `queued`.
    await page.route('**/api/whatsapp/events', (route) => route.abort('connectionreset'));
    const config = page.waitForResponse((r) => r.url().endsWith('/api/whatsapp/config'));
    await fillText(page, newPhone(), 'Seu plano da semana');
    await config;
    const sent = page.waitForResponse('**/api/whatsapp/send');
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    expect((await (await sent).json()).message.status).toBe('queued');
    const result = page.getByTestId('sent-result');
    await result.getByText(/^Enviando a mensagem para \+34 .+…$/).waitFor();
    await expect(result.innerText()).resolves.not.toMatch(/conectado/);
    await close(context, pageErrors);
  });
});
