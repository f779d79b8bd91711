// The Send and Messages screens the way an advisor uses them, against the real service and the
// emulator: what the form sends is what the API stores and the phone sends; the history narrows
// with its filters, loads the next page on scroll and moves its ticks live as the client's phone
// acknowledges; a failed message says why and goes again. Then the phone width, the keyboard and
// the loading and empty screens.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { inSeconds, newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';
import {
  clearFaults,
  clientWrites,
  holdRoute,
  horizontalOverflow,
  listedMessages,
  pdfOf,
  pngOf,
  pushReceipt,
  putSettings,
  sendAs,
  setFaults,
  shotOnFailure,
  untilStatus,
} from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { DESKTOP, openPage, PHONE, screenshot } from './support/browser.js';
import { signUpInContext } from './support/session.js';
import { useWebAndBrowser } from './support/suite.js';

// A real server, its workers and a real browser on a busy machine: give each test room.

const suite = useWebAndBrowser();

const SENT = ['sent', 'delivered', 'read'];

/** A signed-in page for a connected advisor of its own. */
const advisorPage = advisorPages(suite);

const rows = (page: Page) => page.getByTestId('message-row');
const rowOf = (page: Page, id: string) => page.locator(`[data-testid="message-row"][data-id="${id}"]`);
/**
 * `count` messages scheduled for tomorrow, oldest first: real rows through the API, without that
 * many sends on a busy machine.
 */
async function scheduleForTomorrow(
  advisor: ConnectedAdvisor,
  count: number,
  text: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const m = await sendAs(advisor, {
      to: newPhone(),
      text: `${text} ${i + 1}`,
      scheduledAt: inSeconds(86_400 + i * 60).toISOString(),
    });
    ids.push(m.id);
  }
  return ids;
}
const rowIds = (page: Page) => rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
const scrollToEnd = (page: Page) =>
  page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));

/** The date in Madrid (the browser's zone) `days` from now, as a date input holds it. */
const madridDay = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(Date.now() + days * 86_400_000);

describe('the send screen', () => {
  it('sends free text to a number typed the way the advisor says it, in their default country', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Élodie Martin');
    await putSettings(advisor, { defaultCountry: 'FR' });
    await page.goto('/send');
    const recipient = page.getByTestId('recipient');
    await page.getByText('Sin prefijo, entendemos que es de Francia.').waitFor();
    // The example is a French mobile written as the French write it (it was Spain's for all).
    const example = await recipient.getAttribute('placeholder');
    expect(example).toMatch(/^0[67]( \d\d){4}$/);
    await recipient.fill('06 12');
    await page.getByText('El número no tiene la longitud correcta.').waitFor();
    await recipient.fill('06 12 34 56 78');
    await page.getByTestId('recipient-hint').getByText('Se enviará a +33 6 12 34 56 78').waitFor();
    await expect(page.getByText('El número no tiene la longitud correcta.').count()).resolves.toBe(0);
    await page.getByLabel('Nombre del cliente (opcional)').fill('Chloé Bernard');
    await page.getByTestId('send-text').fill('Bonjour Chloé, voici votre plan 🌿');
    await screenshot(page, 'send-form-filled-desktop');
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByTestId('sent-result').getByText('Mensaje enviado a +33 6 12 34 56 78.').waitFor();

    const [row] = await listedMessages(advisor);
    expect(row).toMatchObject({
      direction: 'outbound',
      phone: '+33612345678',
      clientName: 'Chloé Bernard',
      type: 'text',
      text: 'Bonjour Chloé, voici votre plan 🌿',
      source: 'dashboard',
      scheduledAt: null,
    });
    await untilStatus(advisor, row.id, SENT);
    const phoneSent = await sentByPhone(advisor);
    expect(phoneSent.map((m) => [m.number, m.text])).toEqual([
      ['33612345678', 'Bonjour Chloé, voici votre plan 🌿'],
    ]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('uploads an image with a caption and a document', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Nuria Vidal');
    const to = newPhone();
    const png = await pngOf('plan semanal');
    const pdf = pdfOf('Plan de comidas');
    await page.goto('/send');
    await page.getByTestId('recipient').fill(to);
    await page.getByText('Archivo', { exact: true }).click();
    const file = page.getByLabel('Imagen o documento');
    await file.setInputFiles({ name: 'plan-semanal.png', mimeType: 'image/png', buffer: png });
    await page.getByLabel('Texto que acompaña al archivo (opcional)').fill('Tu plan de esta semana 💪');
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByTestId('sent-result').waitFor();
    const image = await waitFor(
      () => listedMessages(advisor, 'direction=outbound'),
      (items) => items.length === 1,
      { what: 'the image in the history' },
    );
    expect(image[0]).toMatchObject({
      phone: to,
      type: 'image',
      caption: 'Tu plan de esta semana 💪',
      mimetype: 'image/png',
      fileName: 'plan-semanal.png',
      text: null,
    });

    await file.setInputFiles({ name: 'plan-comidas.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    const both = await waitFor(
      () => listedMessages(advisor, 'direction=outbound'),
      (items) => items.length === 2,
      { what: 'the document in the history' },
    );
    expect(both[0]).toMatchObject({
      phone: to,
      type: 'document',
      caption: null,
      mimetype: 'application/pdf',
      fileName: 'plan-comidas.pdf',
    });
    await untilStatus(advisor, both[0].id, SENT);
    await untilStatus(advisor, both[1].id, SENT);
    // The gateway re-encodes every image to JPEG before WhatsApp sees it (evolution-api.md), and
    // names it image.jpg: the image's own name, which would label the JPEG image/png, is not sent.
    const phoneSent = await sentByPhone(advisor);
    expect(phoneSent.map((m) => [m.type, m.mimetype, m.caption, m.fileName])).toEqual([
      ['image', 'image/jpeg', 'Tu plan de esta semana 💪', 'image.jpg'],
      ['document', 'application/pdf', undefined, 'plan-comidas.pdf'],
    ]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('on a phone, shows what a template send did where the advisor looks, and cannot send it twice', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Nuria Vidal', PHONE);
    const made = await advisor.client.post('/api/whatsapp/templates', {
      key: 'seguimiento_semana',
      name: 'Seguimiento semanal',
      category: 'custom',
      language: 'es',
      body: 'Hola {nombre_cliente}, ¿qué tal la semana con el plan? Escríbeme si tienes dudas.',
    });
    expect(made.status).toBe(201);
    const to = newPhone();
    await page.goto('/send');
    await page.getByTestId('recipient').fill(to);
    await page.getByRole('radio', { name: 'Plantilla' }).check();
    await page.getByRole('combobox', { name: 'Plantilla' }).selectOption(made.body.id);
    await page.locator('[data-variable="nombre_cliente"]').fill('Eva');
    await page
      .getByTestId('message-preview')
      .getByText(/Hola Eva/)
      .waitFor();
    const send = page.getByRole('button', { name: 'Enviar', exact: true });
    await send.click();

    // The form is taller than the phone: the answer comes to the advisor, below the top bar.
    const result = page.getByTestId('sent-result');
    await result.waitFor();
    await expect(result.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await waitFor(
      () => result.boundingBox(),
      (box) => box !== null && box.y >= 60 && box.y + box.height <= PHONE.height,
      { what: 'the result in view, clear of the top bar' },
    );
    await screenshot(page, 'send-template-result-phone');

    // The template's choice is cleared like a sent text: a second press asks for one.
    await expect(page.getByRole('combobox', { name: 'Plantilla' }).inputValue()).resolves.toBe('');
    await send.click();
    await page.getByText('Elige una plantilla.').waitFor();
    const listed = await listedMessages(advisor);
    expect(listed.filter((m: { phone: string }) => m.phone === to)).toHaveLength(1);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('schedules a message for later, and it waits in Messages as scheduled', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Irene Soler');
    const to = newPhone();
    const when = `${madridDay(1)}T10:30`;
    await page.goto('/send');
    await page.getByTestId('recipient').fill(to);
    await page.getByTestId('send-text').fill('Mañana te espero a las 10:30 en la consulta.');
    await page.getByLabel('Programar para más tarde').check();
    await page.getByLabel('Fecha y hora').fill(when);
    await page.getByRole('button', { name: 'Programar envío' }).click();
    await page
      .getByTestId('sent-result')
      .getByText(/programado para el/)
      .waitFor();

    const [stored] = await listedMessages(advisor);
    const expected = await page.evaluate((local) => new Date(local).toISOString(), when);
    expect(stored).toMatchObject({ status: 'scheduled', phone: to, scheduledAt: expected });
    await page.getByRole('link', { name: 'Ver en Mensajes' }).click();
    const row = rowOf(page, stored.id);
    await row.waitFor();
    await expect(row.getAttribute('data-status')).resolves.toBe('scheduled');
    await row.getByText('Programado').waitFor();
    await row.getByText('Mañana te espero a las 10:30 en la consulta.').waitFor();
    expect(await sentByPhone(advisor)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('can be filled and sent with the keyboard alone, with the focus always visible', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Teresa Gil');
    const to = newPhone();
    await page.goto('/send');
    await page.getByTestId('recipient').waitFor();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const ring = (e: Element) => {
          const style = getComputedStyle(e);
          return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        };
        // A visually hidden radio shows its ring on its label (.segmented label:focus-within).
        return {
          testid: el.dataset.testid ?? null,
          tag: el.tagName,
          type: (el as HTMLInputElement).type ?? null,
          text: el.textContent?.trim() ?? '',
          visible: ring(el) || (el.parentElement?.tagName === 'LABEL' && ring(el.parentElement)),
        };
      });
    const tabTo = async (want: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const f = await focused();
        if (want(f)) {
          expect(f.visible, `the focus ring on ${what}`).toBe(true);
          return;
        }
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo((f) => f.testid === 'recipient', 'the recipient');
    await page.keyboard.type(to.slice(3));
    await tabTo((f) => f.tag === 'INPUT' && f.type === 'text', 'the client name');
    await page.keyboard.type('Rosa Díaz');
    await tabTo((f) => f.type === 'radio', 'the kind of message');
    await tabTo((f) => f.testid === 'send-text', 'the message');
    await page.keyboard.type('Hola, Rosa. Te escribo desde el teclado.');
    await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Enviar', 'the send button');
    await page.keyboard.press('Enter');
    await page.getByTestId('sent-result').waitFor();
    const [stored] = await listedMessages(advisor);
    expect(stored).toMatchObject({
      phone: to,
      clientName: 'Rosa Díaz',
      text: 'Hola, Rosa. Te escribo desde el teclado.',
    });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('the messages screen', () => {
  it('narrows the list by status, direction and phone', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Sara Molina');
    const lucia = newPhone();
    const pablo = newPhone();
    await setFaults(advisor, { statusDelaysMs: null });
    try {
      const read = await sendAs(advisor, { to: lucia, clientName: 'Lucía', text: 'Tu cita es el martes.' });
      const delivered = await sendAs(advisor, { to: lucia, clientName: 'Lucía', text: 'Trae tu diario.' });
      const sent = await sendAs(advisor, { to: pablo, clientName: 'Pablo', text: 'Hola, Pablo.' });
      for (const m of [read, delivered, sent]) await untilStatus(advisor, m.id, ['sent']);
      const out = await untilStatus(advisor, read.id, ['sent']);
      await pushReceipt(advisor, out, 'DELIVERY_ACK');
      await pushReceipt(advisor, out, 'READ');
      await pushReceipt(advisor, await untilStatus(advisor, delivered.id, ['sent']), 'DELIVERY_ACK');
      await untilStatus(advisor, read.id, ['read']);
      await untilStatus(advisor, delivered.id, ['delivered']);
    } finally {
      await clearFaults(advisor);
    }
    await clientWrites(advisor, pablo, '¿Puedo cambiar la cita?', 'Pablo');
    await waitFor(
      () => listedMessages(advisor),
      (items) => items.length === 4,
      { what: 'four messages' },
    );

    await page.goto('/messages');
    await waitFor(
      () => rows(page).count(),
      (n) => n === 4,
      { what: 'four rows' },
    );
    const shown = async () =>
      (await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))).sort();
    const settle = async (expected: string[]) =>
      waitFor(shown, (s) => JSON.stringify(s) === JSON.stringify([...expected].sort()), {
        what: `rows ${expected.join(', ')}`,
      });

    const filters = page.getByRole('search', { name: 'Filtrar mensajes' });
    await filters.getByLabel('Estado').selectOption({ label: 'Leído' });
    await settle(['read']);
    await filters.getByLabel('Estado').selectOption({ label: 'Todos' });
    await filters.getByLabel('Dirección').selectOption({ label: 'Recibidos' });
    await settle(['received']);
    await rows(page).getByText('¿Puedo cambiar la cita?').waitFor();
    await filters.getByLabel('Dirección').selectOption({ label: 'Todos' });
    await settle(['read', 'delivered', 'sent', 'received']);

    // Typed as an advisor in Spain says it (no prefix), and in full: both mean Lucía.
    for (const typed of [lucia.slice(3).replace(/(\d{3})(\d{2})(\d{2})(\d{2})/, '$1 $2 $3 $4'), lucia]) {
      await filters.getByLabel('Teléfono').fill(typed);
      await settle(['read', 'delivered']);
    }
    await filters.getByLabel('Teléfono').fill(pablo);
    await settle(['sent', 'received']);
    expect((await listedMessages(advisor, `phone=${encodeURIComponent(pablo)}`)).length).toBe(2);
    // A few digits, as remembered ("the one ending in …"): every number containing them.
    await filters.getByLabel('Teléfono').fill(lucia.slice(-5));
    await settle(['read', 'delivered']);
    // A name filters nothing here, and the field says so rather than leaving the whole list unexplained.
    const hint = filters.getByText('Se busca por número: escribe al menos 3 cifras.', { exact: false });
    await expect(hint.count()).resolves.toBe(0);
    await filters.getByLabel('Teléfono').fill('Lucía');
    await hint.waitFor();
    await settle(['read', 'delivered', 'sent', 'received']);
    await filters.getByLabel('Teléfono').fill(pablo);
    await hint.waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('loads the next page when scrolled to the end', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Paula Ramos');
    const seeded = await scheduleForTomorrow(advisor, 60, 'Recordatorio');
    await page.goto('/messages');
    await waitFor(
      () => rows(page).count(),
      (n) => n === 50,
      { what: 'the first page of 50' },
    );
    // More to come, and nothing loaded before the advisor scrolls.
    await page.getByRole('button', { name: 'Cargar más' }).waitFor();
    await expect(rows(page).count()).resolves.toBe(50);
    await scrollToEnd(page);
    await waitFor(
      () => rows(page).count(),
      (n) => n === 60,
      { what: 'the second page' },
    );
    const ids = await rowIds(page);
    expect(new Set(ids).size).toBe(60);
    expect([...ids].sort()).toEqual([...seeded].sort());
    await page.getByRole('button', { name: 'Cargar más' }).waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('catches up after its live stream dropped, keeping the pages already loaded', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Irene Vuelve');
    await scheduleForTomorrow(advisor, 60, 'Aviso');
    await page.goto('/messages');
    await page.locator('.live-dot.live-open').waitFor();
    // The stream may open before the first page lands: scrolled while the list was still empty,
    // the page would stay at its top once the rows came, and the next page never load.
    await waitFor(
      () => rows(page).count(),
      (n) => n === 50,
      { what: 'the first page of 50' },
    );
    await scrollToEnd(page);
    await waitFor(
      () => rows(page).count(),
      (n) => n === 60,
      { what: 'both pages' },
    );
    // Back at the top, where the next page would not load again by itself.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    // The stream drops (the server closes its connections, as a restart or a proxy would) and
    // the browser's reconnection is held: what happens meanwhile reaches no open stream.
    const releaseStream = await holdRoute(page, '**/api/whatsapp/events');
    suite.web.service.app.server.closeAllConnections();
    await page.locator('.live-dot:not(.live-open)').waitFor();
    const from = newPhone();
    await clientWrites(advisor, from, 'Llego tarde, perdona');
    await waitFor(
      async () => (await advisor.client.get('/api/whatsapp/messages?direction=inbound')).body.items.length,
      (n: number) => n === 1,
      { what: 'the inbound message stored' },
    );
    await expect(page.getByText('Llego tarde, perdona').count()).resolves.toBe(0);

    releaseStream();
    await page.locator('.live-dot.live-open').waitFor();
    await page.getByText('Llego tarde, perdona').waitFor();
    // Read again in place: no reload, the second page still there, nothing twice.
    await waitFor(
      () => rows(page).count(),
      (n) => n === 61,
      { what: 'the new message on top of both pages' },
    );
    const ids = await rowIds(page);
    expect(new Set(ids).size).toBe(61);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('moves the ticks live as the phone acknowledges: ✓ sent, ✓✓ delivered, blue ✓✓ read', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Lidia Castro');
    await setFaults(advisor, { statusDelaysMs: null });
    try {
      await page.goto('/messages');
      await page.getByText('Todavía no hay mensajes').waitFor();
      await page.locator('.live-dot.live-open').waitFor();
      // A reload would drop this mark: everything below must happen in this very page.
      await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
      const sent = await sendAs(advisor, {
        to: newPhone(),
        clientName: 'Lucía',
        text: 'Nos vemos el jueves.',
      });
      const row = rowOf(page, sent.id);
      const ticks = row.locator('.ticks');
      const marks = row.locator('.ticks-marks');
      await row.locator('[data-status="sent"]').waitFor();
      await expect(marks.textContent()).resolves.toBe('✓');
      const colour = () => marks.evaluate((el) => getComputedStyle(el).color);

      const out = await untilStatus(advisor, sent.id, ['sent']);
      await pushReceipt(advisor, out, 'DELIVERY_ACK');
      await ticks.and(page.locator('[data-status="delivered"]')).waitFor();
      await expect(marks.textContent()).resolves.toBe('✓✓');
      await expect(ticks.textContent()).resolves.toContain('Entregado');
      const grey = await colour();

      await pushReceipt(advisor, out, 'READ');
      await ticks.and(page.locator('[data-status="read"]')).waitFor();
      await expect(marks.textContent()).resolves.toBe('✓✓');
      const blue = await colour();
      expect(blue).not.toBe(grey);
      const [r, g, b] = blue.match(/\d+/g)!.map(Number);
      expect(b, `read ticks are blue (${blue})`).toBeGreaterThan(Math.max(r!, g!));
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      await screenshot(page, 'messages-ticks-desktop');
    } finally {
      await clearFaults(advisor);
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('cancels a scheduled message after asking, and it never goes out', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Nuria Gil');
    const to = newPhone();
    // Due in a few seconds: without the cancel it would be on the phone before the test ends.
    const scheduled = await sendAs(advisor, {
      to,
      clientName: 'Olga',
      text: 'Programado por error',
      scheduledAt: inSeconds(8).toISOString(),
    });
    await page.goto('/messages');
    const row = rowOf(page, scheduled.id);
    const dialog = page.getByRole('dialog');
    await row.getByRole('button', { name: 'Cancelar envío' }).click();
    await dialog.getByText('El mensaje a Olga no se enviará. No se puede deshacer.').waitFor();
    await dialog.getByRole('button', { name: 'Mantenerlo' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await advisor.client.get(`/api/whatsapp/messages/${scheduled.id}`)).body.status).toBe(
      'scheduled',
    );

    await row.getByRole('button', { name: 'Cancelar envío' }).click();
    await dialog.getByRole('button', { name: 'Cancelar envío' }).click();
    await page
      .locator(`[data-testid="message-row"][data-id="${scheduled.id}"][data-status="cancelled"]`)
      .waitFor();
    await row.getByText('Lo cancelaste antes de que saliera').waitFor();
    await row.getByTestId('cancel-send').waitFor({ state: 'detached' });
    expect((await advisor.client.get(`/api/whatsapp/messages/${scheduled.id}`)).body).toMatchObject({
      status: 'cancelled',
      error: { code: 'cancelled_by_advisor' },
    });
    // Past its time, a control message goes out and the cancelled one does not.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, new Date(scheduled.scheduledAt).getTime() - Date.now()) + 500),
    );
    const control = await sendAs(advisor, { to, text: 'Control' });
    await untilStatus(advisor, control.id, SENT);
    expect((await sentByPhone(advisor)).map((m) => m.text)).toEqual(['Control']);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('shows why a message failed, and Reintentar sends it again', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Marina León');
    const to = newPhone();
    await setFaults(advisor, { notOnWhatsApp: [to] });
    let failed: any;
    try {
      failed = await sendAs(advisor, { to, clientName: 'Jorge', text: 'Tu cita está confirmada.' });
      expect((await untilStatus(advisor, failed.id, ['failed'])).error.code).toBe('not_on_whatsapp');
    } finally {
      await clearFaults(advisor);
    }
    await page.goto('/messages');
    const row = rowOf(page, failed.id);
    await row.getByText('Ese número no tiene WhatsApp.').waitFor();
    await row.getByRole('button', { name: 'Reintentar' }).click();
    await page
      .locator(`[data-testid="message-row"][data-id="${failed.id}"]:not([data-status="failed"])`)
      .waitFor();
    const retried = await untilStatus(advisor, failed.id, SENT);
    expect(retried.error).toBeNull();
    await row.getByRole('button', { name: 'Reintentar' }).waitFor({ state: 'detached' });
    const phoneSent = (await sentByPhone(advisor)).filter((m) => `+${m.number}` === to);
    expect(phoneSent.map((m) => m.text)).toEqual(['Tu cita está confirmada.']);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('on a 375 px phone with real data', () => {
  it('fits the send form, the messages table and a filled template editor', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Begoña Fernández', PHONE);
    const fits = async (what: string) =>
      expect(await horizontalOverflow(page), `${what} overflows the phone width`).toBeLessThanOrEqual(0);

    await page.goto('/send');
    await page.getByTestId('recipient').fill('612 34 56 78');
    await page.getByLabel('Nombre del cliente (opcional)').fill('María de los Ángeles Fernández-Villaverde');
    await page
      .getByTestId('send-text')
      .fill(`Hola, María. ${'Recuerda beber agua y caminar cada día. '.repeat(6)}`);
    await page.getByLabel('Programar para más tarde').check();
    await page.getByLabel('Fecha y hora').fill(`${madridDay(2)}T09:15`);
    await fits('the send form');
    await screenshot(page, 'send-form-filled-phone');
    await page.getByRole('button', { name: 'Programar envío' }).click();
    await page.getByTestId('sent-result').waitFor();

    const read = await sendAs(advisor, {
      to: newPhone(),
      clientName: 'Lucía Pérez Sánchez de la Fuente',
      text: 'Te envío el plan de comidas de esta semana, con la lista de la compra 🌿',
    });
    await untilStatus(advisor, read.id, ['read']);
    await page.goto('/messages');
    await rowOf(page, read.id).locator('[data-status="read"]').waitFor();
    await expect(rows(page).count()).resolves.toBe(2);
    await fits('the messages table');
    await screenshot(page, 'messages-ticks-phone');

    await page.goto('/templates/new');
    await page.getByLabel('Nombre', { exact: true }).fill('Bienvenida al programa de nutrición');
    await page.getByLabel('Tipo').selectOption('custom');
    const body = page.getByTestId('template-body');
    await body.fill('Hola ');
    await page.getByRole('button', { name: '{nombre_cliente}' }).click();
    await body.press('End');
    await body.type(', tu bono de {sesiones} sesiones con {nombre_asesor} ya está activo. ¡Bienvenida!');
    await page.getByLabel('{sesiones}').fill('10');
    await page
      .getByTestId('message-preview')
      .getByText(/tu bono de 10 sesiones/)
      .waitFor();
    await fits('the template editor');
    await screenshot(page, 'template-editor-filled-phone');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('loading and empty screens', () => {
  it('show a loading state, then say there is nothing yet, in Spanish: messages, inbox, appointments', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, DESKTOP);
    shotOnFailure(page, 'empty-screens');
    await signUpInContext(context, suite.web.url);
    await page.goto('/send');
    await page.getByTestId('recipient').waitFor();
    // A slow mobile network (the real requests, each answered a second late) keeps the loading
    // state on screen long enough to see it.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 1_000,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const screens = [
      {
        link: 'Mensajes',
        title: 'Todavía no hay mensajes',
        text: 'Cuando envíes o recibas mensajes aparecerán aquí.',
      },
      {
        link: 'Bandeja',
        title: 'Sin conversaciones todavía',
        text: 'Cuando un cliente te escriba, lo verás aquí.',
      },
      {
        link: 'Citas',
        title: 'No hay citas próximas',
        text: 'Las citas que se reserven en tu agenda aparecerán aquí con sus recordatorios.',
      },
    ];
    for (const screen of screens) {
      await page
        .getByRole('navigation', { name: 'Secciones' })
        .getByRole('link', { name: screen.link })
        .click();
      await page.locator('main .loading').getByText('Cargando…').waitFor();
      const empty = page.locator('.empty', { has: page.locator('.empty-title', { hasText: screen.title }) });
      await empty.waitFor();
      await expect(empty.locator('.empty-text').textContent()).resolves.toBe(screen.text);
      await expect(page.locator('main .loading').count()).resolves.toBe(0);
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
