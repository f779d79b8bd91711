// The conversation list, live, keeps the server's order (most recent activity first): a receipt
// for a conversation's last message (the client got it, read it) is no new activity, and must
// not lift that conversation above one where something happened since.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import {
  clearFaults,
  clientWrites,
  pushReceipt,
  sendAs,
  setFaults,
  untilStatus,
} from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite, { shotPrefix: 'inbox-order-' });

const listedPhones = (page: Page) =>
  page.getByTestId('conversation').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-phone')));

describe('the conversation list, live', () => {
  it('keeps its order when a receipt arrives for a conversation’s last message', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Rita Orden');
    // Receipts only when the test pushes them.
    await setFaults(advisor, { statusDelaysMs: null });
    try {
      const older = newPhone();
      const newer = newPhone();
      await clientWrites(advisor, older, 'Hola, ¿tienes hueco?', 'Ana');
      const reply = await untilStatus(
        advisor,
        (await sendAs(advisor, { to: older, text: 'Sí, el jueves' })).id,
        ['sent'],
      );
      // Then another client writes: theirs is the most recent conversation.
      await clientWrites(advisor, newer, 'Buenas tardes', 'Bruno');
      const serverOrder = async () =>
        ((await advisor.client.get('/api/whatsapp/conversations')).body.items as any[]).map((c) => c.phone);
      await waitFor(serverOrder, (phones) => phones.join() === [newer, older].join(), {
        what: 'both conversations, the newer first',
      });

      await page.goto(`/inbox/${encodeURIComponent(older)}`);
      const bubble = page.getByTestId('chat-bubble').filter({ hasText: 'Sí, el jueves' });
      await bubble.waitFor();
      await page.locator('[data-testid="conversation"]').nth(1).waitFor();
      expect(await listedPhones(page)).toEqual([newer, older]);

      // Ana reads the reply: the open chat shows it read, the list keeps its order.
      await pushReceipt(advisor, reply, 'READ');
      await page.locator('[data-testid="chat-bubble"][data-status="read"]').waitFor();
      expect(await listedPhones(page)).toEqual([newer, older]);
      expect(await serverOrder()).toEqual([newer, older]);
      expect(pageErrors).toEqual([]);
    } finally {
      await clearFaults(advisor);
      await context.close();
    }
  });

  it('shows a conversation the advisor starts from elsewhere, on top, as the server lists it', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Sara Nueva');
    const known = newPhone();
    await clientWrites(advisor, known, 'Hola, soy Carmen', 'Carmen');
    await page.goto('/inbox');
    await page.locator(`[data-testid="conversation"][data-phone="${known}"]`).waitFor();

    // The advisor writes to a new client from the Send screen of another tab (or a booking's
    // confirmation goes out): the server lists that conversation first.
    const fresh = newPhone();
    const first = await sendAs(advisor, { to: fresh, text: 'Bienvenida, aquí tu plan' });
    await untilStatus(advisor, first.id, ['sent', 'delivered', 'read']);
    const served = ((await advisor.client.get('/api/whatsapp/conversations')).body.items as any[]).map(
      (c) => c.phone,
    );
    expect(served).toEqual([fresh, known]);
    await page.locator(`[data-testid="conversation"][data-phone="${fresh}"]`).waitFor();
    expect(await listedPhones(page)).toEqual([fresh, known]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
