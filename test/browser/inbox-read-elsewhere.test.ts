// Found by review: a chat opened (so marked read) in one tab left the advisor's other tabs showing
// its unread count and the Inbox badge until the next client message or a reconnect. The server
// now says `conversation_read` live and every tab applies it: the list clears that count, the
// badge reads the total again.
import { describe, expect, it } from 'vitest';
import { newPhone } from '../appointments/support.js';
import { clientWrites } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite, { shotPrefix: 'read-elsewhere-' });

describe('a chat read in another tab', () => {
  it("clears its count in the other tabs' list and badge, live", async () => {
    const { advisor, page: messagesTab, context, pageErrors } = await advisorPage('Olga Pestañas');
    const rocio = newPhone();
    const tomas = newPhone();
    await clientWrites(advisor, rocio, 'Hola, ¿tienes hueco el lunes?', 'Rocío');
    await clientWrites(advisor, tomas, '¿Y el martes?', 'Tomás');

    const open = async (page: typeof messagesTab, path: string) => {
      await page.goto(path);
      await page.locator('main h1').waitFor();
      await page.locator('.live-dot.live-open').waitFor({ state: 'attached' });
    };
    // Tab 1 elsewhere (the badge), tab 2 on the Inbox list (the counts).
    const nav = messagesTab.locator('nav#main-nav');
    await open(messagesTab, '/messages');
    await nav.getByRole('link', { name: /^Bandeja, 2 mensajes sin leer$/ }).waitFor();
    const inboxTab = await context.newPage();
    inboxTab.setDefaultTimeout(10_000);
    inboxTab.on('pageerror', (err) => pageErrors.push(err));
    await open(inboxTab, '/inbox');
    const countOf = (name: string) =>
      inboxTab.getByTestId('conversation').filter({ hasText: name }).getByTestId('unread-count');
    await countOf('Rocío').waitFor();
    await countOf('Tomás').waitFor();

    // Tab 3 opens Rocío's chat, which marks it read.
    const chatTab = await context.newPage();
    chatTab.setDefaultTimeout(10_000);
    chatTab.on('pageerror', (err) => pageErrors.push(err));
    await chatTab.goto(`/inbox/${encodeURIComponent(rocio)}`);
    await chatTab.getByTestId('chat-bubble').filter({ hasText: 'hueco el lunes' }).waitFor();

    // No reload in the other two.
    await nav.getByRole('link', { name: /^Bandeja, 1 mensaje sin leer$/ }).waitFor();
    await expect(nav.getByTestId('inbox-unread-badge').innerText()).resolves.toBe('1');
    await countOf('Rocío').waitFor({ state: 'detached' });
    await expect(countOf('Tomás').innerText()).resolves.toMatch(/^1\b/);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
