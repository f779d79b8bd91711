// A client edits a message, then deletes another for everyone: the open chat shows the edit live
// (new words, "Editado") and the deletion ("Mensaje eliminado", the words gone); the message
// history says the same. An edit made before the live stream opened shows too. A client's edit
// into an opt-out word puts the opted-out badge up live, in the chat and in the conversation list.
// A reminder booked before the client wrote and sent after moves, live, below the client's
// message, and dates its conversation in the list with when it went out, not with the day it was
// booked.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import type { ConnectedAdvisor } from '../support/whatsapp.js';
import { holdRoute } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { screenshot } from './support/browser.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite, { shotPrefix: 'edits-' });
/** What the client's phone does, through the emulator's control API. */
const phoneOf = (advisor: ConnectedAdvisor) => (action: string, body: Record<string, unknown>) =>
  advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/${action}`, body);

describe('edits and deletions made in WhatsApp', () => {
  it('show in the open chat as they happen, and in the history', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Eva Edita');
    const from = newPhone();
    const control = phoneOf(advisor);
    const first = await control('inbound', { from, pushName: 'Lucía', text: '¿Puedo ir el martes?' });
    const second = await control('inbound', { from, pushName: 'Lucía', text: 'Mi DNI es 12345678Z' });
    expect([first.status, second.status]).toEqual([201, 201]);

    await page.goto(`/inbox/${encodeURIComponent(from)}`);
    const bubbles = page.getByTestId('chat-bubble');
    await bubbles.getByText('Mi DNI es 12345678Z').waitFor();
    await expect(page.getByTestId('message-edited').count()).resolves.toBe(0);

    // Live: no reload between the phone's edit and what the chat shows.
    await control('edit', { keyId: first.body.key.id, text: '¿Puedo ir el miércoles?' });
    const edited = bubbles.filter({ hasText: '¿Puedo ir el miércoles?' });
    await edited.getByTestId('message-edited').waitFor();
    await expect(edited.getByTestId('message-edited').textContent()).resolves.toBe('Editado');
    await expect(bubbles.getByText('¿Puedo ir el martes?').count()).resolves.toBe(0);

    await control('revoke', { keyId: second.body.key.id });
    const deleted = bubbles.filter({ hasText: 'Mensaje eliminado' });
    await deleted.waitFor();
    await expect(bubbles.getByText('12345678Z').count()).resolves.toBe(0);
    await expect(deleted.evaluate((el) => el.classList.contains('bubble-deleted'))).resolves.toBe(true);
    // The conversation list showed it as the last message: it says "deleted" now too.
    const conversation = page.getByTestId('conversation').filter({ hasText: 'Lucía' });
    await conversation.getByText('Mensaje eliminado').waitFor();
    await expect(page.getByText('12345678Z').count()).resolves.toBe(0);
    await screenshot(page, 'inbox-edited-and-deleted-desktop');

    // The history, freshly loaded, says the same.
    await waitFor(
      async () => (await advisor.client.get('/api/whatsapp/messages?direction=inbound')).body.items,
      (items: any[]) => items.filter((m) => m.editedAt || m.deletedAt).length === 2,
      { what: 'both changes stored' },
    );
    await page.goto('/messages');
    const rows = page.getByTestId('message-row');
    await rows.filter({ hasText: '¿Puedo ir el miércoles?' }).getByTestId('message-edited').waitFor();
    await rows.filter({ hasText: 'Mensaje eliminado' }).waitFor();
    await screenshot(page, 'messages-edited-and-deleted-desktop');
    await expect(page.getByText('12345678Z').count()).resolves.toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('show when they happened before the live stream opened, without a reload', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Eli Tarde');
    const from = newPhone();
    const control = phoneOf(advisor);
    const first = await control('inbound', { from, pushName: 'Marta', text: '¿Me confirmas las 10?' });
    expect(first.status).toBe(201);

    // The stream's request is held: the chat loads its messages, then the edit is published
    // while no stream is open to carry it (what a loaded server or a reconnect gives).
    const releaseStream = await holdRoute(page, '**/api/whatsapp/events');
    await page.goto(`/inbox/${encodeURIComponent(from)}`);
    const bubbles = page.getByTestId('chat-bubble');
    await bubbles.getByText('¿Me confirmas las 10?').waitFor();
    await control('edit', { keyId: first.body.key.id, text: '¿Me confirmas las 11?' });
    await waitFor(
      async () => (await advisor.client.get('/api/whatsapp/messages?direction=inbound')).body.items,
      (items: any[]) => items.some((m) => m.editedAt),
      { what: 'the edit stored' },
    );
    await expect(bubbles.getByText('¿Me confirmas las 10?').count()).resolves.toBe(1);

    releaseStream();
    const edited = bubbles.filter({ hasText: '¿Me confirmas las 11?' });
    await edited.getByTestId('message-edited').waitFor();
    await expect(bubbles.getByText('¿Me confirmas las 10?').count()).resolves.toBe(0);
    // The conversation list, read before the edit too, shows the new words.
    const conversation = page.getByTestId('conversation').filter({ hasText: 'Marta' });
    await conversation.getByText('¿Me confirmas las 11?').waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe("a client's edit into an opt-out word", () => {
  // The service opts the client out as a new BAJA would (edit-keywords.ts) and says so in the
  // edit's live `message` event (`clientOptedOut`): the advisor must see it before replying,
  // without a reload.
  it('puts the opted-out badge up live, in the open chat and in the conversation list', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Olga Bajas');
    const from = newPhone();
    const other = newPhone();
    const control = phoneOf(advisor);
    const hers = await control('inbound', { from, pushName: 'Irene', text: 'Hola, ¿a qué hora abrís?' });
    const his = await control('inbound', { from: other, pushName: 'Pablo', text: 'Buenas tardes' });
    expect([hers.status, his.status]).toEqual([201, 201]);

    await page.goto(`/inbox/${encodeURIComponent(from)}`);
    const bubbles = page.getByTestId('chat-bubble');
    await bubbles.getByText('Hola, ¿a qué hora abrís?').waitFor();
    const row = (name: string) => page.getByTestId('conversation').filter({ hasText: name });
    const listBadge = (name: string) => row(name).getByText('De baja', { exact: true });
    await row('Pablo').waitFor();
    // Opened after the chat read its data: what the phone does from now on can only come live.
    await page.locator('.live-dot.live-open').waitFor();
    await expect(page.getByTestId('opted-out-badge').count()).resolves.toBe(0);
    await expect(listBadge('Irene').count()).resolves.toBe(0);
    await expect(page.getByTestId('reply-text').isDisabled()).resolves.toBe(false);

    // The open chat's client edits her message into BAJA.
    await control('edit', { keyId: hers.body.key.id, text: 'BAJA' });
    await page.getByTestId('opted-out-badge').waitFor();
    await bubbles.filter({ hasText: 'BAJA' }).getByTestId('message-edited').waitFor();
    await expect(page.getByTestId('opt-out-toggle').getAttribute('aria-checked')).resolves.toBe('true');
    await expect(page.getByTestId('reply-text').isDisabled()).resolves.toBe(true);
    await listBadge('Irene').waitFor();

    // Another client, whose chat is not open, does the same: his row in the list says so.
    await expect(listBadge('Pablo').count()).resolves.toBe(0);
    await control('edit', { keyId: his.body.key.id, text: 'Stop' });
    await listBadge('Pablo').waitFor();
    await expect(page.getByTestId('opted-out-badge').count()).resolves.toBe(1);
    await screenshot(page, 'inbox-edit-opted-out-desktop');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('puts it up in a chat opened by link before the list holds its conversation', async () => {
    // The chat keeps its own opt-out state for a conversation the list has not loaded (further
    // down than its first page, or still on its way): here the list's read is held.
    const { advisor, page, context, pageErrors } = await advisorPage('Olga Enlace');
    const from = newPhone();
    const control = phoneOf(advisor);
    const hers = await control('inbound', { from, pushName: 'Irene', text: '¿Me guardas el jueves?' });
    expect(hers.status).toBe(201);

    const releaseList = await holdRoute(page, '**/api/whatsapp/conversations*');
    await page.goto(`/inbox/${encodeURIComponent(from)}`);
    await page.getByTestId('chat-bubble').getByText('¿Me guardas el jueves?').waitFor();
    await page.locator('.live-dot.live-open').waitFor();
    await expect(page.getByTestId('conversation').count()).resolves.toBe(0);
    await expect(page.getByTestId('opted-out-badge').count()).resolves.toBe(0);

    await control('edit', { keyId: hers.body.key.id, text: 'baja' });
    await page.getByTestId('opted-out-badge').waitFor();
    await expect(page.getByTestId('reply-text').isDisabled()).resolves.toBe(true);
    releaseList();
    await page
      .getByTestId('conversation')
      .filter({ hasText: 'Irene' })
      .getByText('De baja', { exact: true })
      .waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('a message the client writes while the live stream is down', () => {
  it('is marked read once the open chat shows it', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Nora Vuelve');
    const from = newPhone();
    const control = phoneOf(advisor);
    expect((await control('inbound', { from, pushName: 'Lía', text: 'Hola' })).status).toBe(201);
    const unread = async () =>
      (await advisor.client.get('/api/whatsapp/conversations')).body.items.find(
        (c: { phone: string }) => c.phone === from,
      )?.unread;

    // The chat opens and is read while no stream is open; the client writes again meanwhile.
    const releaseStream = await holdRoute(page, '**/api/whatsapp/events');
    await page.goto(`/inbox/${encodeURIComponent(from)}`);
    const bubbles = page.getByTestId('chat-bubble');
    await bubbles.getByText('Hola').waitFor();
    await waitFor(unread, (n) => n === 0, { what: 'the chat marked read on opening' });
    expect((await control('inbound', { from, pushName: 'Lía', text: '¿Sigues ahí?' })).status).toBe(201);
    await waitFor(unread, (n) => n === 1, { what: 'the new message stored unread' });

    releaseStream();
    await bubbles.getByText('¿Sigues ahí?').waitFor();
    await waitFor(unread, (n) => n === 0, { what: 'the message on screen marked read' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('a reminder that goes out while the chat is open', () => {
  it('moves from where it was booked to the newest place, and becomes the last message', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Rita Recuerda');
    const from = newPhone();
    // Whatever the hour the test runs at: quiet hours would hold the reminder until morning.
    const quiet = await advisor.client.put('/api/whatsapp/config', { settings: { quietHours: null } });
    expect(quiet.status).toBe(200);
    const booked = await advisor.client.post('/api/appointments', {
      externalId: `live-order-${Date.now()}`,
      clientName: 'Paula',
      clientPhone: from,
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(booked.status).toBe(201);
    const reminder = booked.body.messages.find((m: any) => m.purpose === 'reminder');
    expect(reminder.status).toBe('scheduled');
    // The confirmation goes out before the client answers: a chat is in the order messages were
    // exchanged, and on a busy machine it could otherwise be sent after the answer and be newest.
    const confirmation = booked.body.messages.find((m: any) => m.purpose === 'confirmation');
    await waitFor(
      async () => (await advisor.client.get(`/api/whatsapp/messages/${confirmation.id}`)).body.sentAt,
      (sentAt) => typeof sentAt === 'string',
      { what: 'the confirmation sent' },
    );
    const wrote = await phoneOf(advisor)('inbound', { from, pushName: 'Paula', text: 'Allí estaré' });
    expect(wrote.status).toBe(201);

    await page.goto(`/inbox/${encodeURIComponent(from)}`);
    const bubbles = page.getByTestId('chat-bubble');
    await bubbles.getByText('Allí estaré').waitFor();
    const newest = bubbles.last();
    await expect(newest.textContent()).resolves.toContain('Allí estaré');
    await bubbles.and(page.locator('[data-status="scheduled"]')).first().waitFor();

    // It was booked days ago (the booking wrote it then), and its day comes: the delayed send job
    // runs now, through the real worker and gateway (its time is now: a job woken before its
    // message's time would wait for it).
    await suite.web.service.database.db
      .update(whatsappMessage)
      .set({ createdAt: new Date(Date.now() - 4 * 86_400_000), scheduledAt: new Date(Date.now() - 1_000) })
      .where(eq(whatsappMessage.id, reminder.id));
    const job = await suite.web.service.runtime.messages.queue.getJob(`send-${reminder.id}`);
    await job!.promote();
    await waitFor(
      async () => ({ status: await newest.getAttribute('data-status'), text: await newest.textContent() }),
      (m) => ['sent', 'delivered', 'read'].includes(m.status ?? '') && !m.text?.includes('Allí estaré'),
      { what: 'the reminder at the bottom of the chat, sent' },
    );
    await expect(bubbles.nth(-2).textContent()).resolves.toContain('Allí estaré');
    const conversation = page.getByTestId('conversation').filter({ hasText: 'Paula' });
    await waitFor(
      async () => await conversation.textContent(),
      (text) => !!text && !text.includes('Allí estaré'),
      { what: 'the reminder as the conversation’s last message' },
    );
    // The conversation, on top of the list for the message that went out now, says it went out
    // now (a time of today), as its bubble does: not the day the reminder was booked.
    const today = /^\d{1,2}:\d{2}$/;
    const time = conversation.locator('.conversation-time');
    await waitFor(
      async () => (await time.textContent())?.trim(),
      (text) => today.test(text ?? ''),
      {
        what: 'the conversation dated when the reminder went out',
      },
    );
    await page.reload();
    await expect(
      waitFor(
        async () => (await time.textContent())?.trim(),
        (text) => today.test(text ?? ''),
        {
          what: 'the conversation dated when the reminder went out, read again',
        },
      ),
    ).resolves.toMatch(today);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
