// The dashboard's text boxes bounded as the server bounds them. The server counts characters (code
// points: an emoji is one) where HTML's maxLength counts UTF-16 units (an emoji two), so a box held
// by maxLength cut an emoji-heavy text at half of what the server takes, without a word. Each box
// now keeps what is typed or pasted whole, and past the server's bound the form says so as it is
// typed and sends nothing. (The API key's name: api-key-name.test.ts.)
import { describe, expect, it } from 'vitest';
import { newPhone } from '../appointments/support.js';
import { signUpAdvisor } from '../support/http.js';
import { listedMessages } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { openPage } from './support/browser.js';
import { requestsTo } from './support/requests.js';
import { useSessionOf } from './support/session.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite, { shotPrefix: 'text-box-limits-' });

describe("the send screen's client name", () => {
  it('takes 150 emoji to the stored message, and says before sending that 201 characters are too many', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Nombre Emoji');
    const sends = requestsTo(page, 'POST', '/api/whatsapp/send');
    await page.goto('/send');
    await page.getByTestId('recipient').fill(newPhone());
    await page.getByTestId('send-text').fill('Tu plan de esta semana');
    const box = page.getByLabel('Nombre del cliente (opcional)');
    const send = page.getByRole('button', { name: 'Enviar', exact: true });
    const rule = page.getByText('Como máximo 200 caracteres.');

    // Over 200 characters (201 emoji; then 201 letters): the rule as it is typed, and nothing sent.
    await box.focus();
    await page.keyboard.insertText('🌿'.repeat(201));
    await expect(box.inputValue()).resolves.toBe('🌿'.repeat(201));
    await rule.waitFor();
    await send.click();
    await rule.waitFor();
    await box.fill('');
    await page.keyboard.insertText('a'.repeat(201));
    await rule.waitFor();
    await send.click();
    await rule.waitFor();
    expect(sends).toEqual([]);

    // 150 emoji (300 UTF-16 units), pasted whole, go with the message.
    const name = '🌿'.repeat(150);
    await box.fill('');
    await page.keyboard.insertText(name);
    await expect(box.inputValue()).resolves.toBe(name);
    await expect(rule.count()).resolves.toBe(0);
    await send.click();
    await page.getByTestId('sent-result').waitFor();
    expect(sends).toHaveLength(1);
    const [message] = await listedMessages(advisor);
    expect(message).toMatchObject({ clientName: name, text: 'Tu plan de esta semana' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe("the settings' opening message of the public button", () => {
  // Letters and emoji: emoji alone past 1000 UTF-16 units would make a link no QR code holds (an
  // emoji is 12 characters of it), which the server refuses for its own reason.
  const words = (n: number) => 'Hola '.repeat(n).slice(0, n);

  it('saves 900 letters and 100 emoji (1100 UTF-16 units) whole, and says before saving that 1001 characters are too many', async () => {
    const { client } = await signUpAdvisor(suite.web.url, 'Mensaje Emoji');
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url);
    await useSessionOf(context, client);
    const saves = requestsTo(page, 'PUT', '/api/whatsapp/config');
    await page.goto('/settings');
    const box = page.getByLabel('Mensaje inicial', { exact: true });
    const save = page.getByRole('button', { name: 'Guardar ajustes' });
    const rule = page.getByText('Como máximo 1000 caracteres.');

    // 1001 characters: the rule as it is typed, and nothing saved.
    const over = `${words(901)}${'🌿'.repeat(100)}`;
    await box.fill('');
    await page.keyboard.insertText(over);
    await expect(box.inputValue()).resolves.toBe(over);
    await rule.waitFor();
    await save.click();
    await page.getByText('Revisa los campos marcados.').waitFor();
    await rule.waitFor();
    expect(saves).toEqual([]);

    // 1000 characters, 100 of them emoji, pasted whole, are saved as typed.
    const message = `${words(900)}${'🌿'.repeat(100)}`;
    await box.fill('');
    await page.keyboard.insertText(message);
    await expect(box.inputValue()).resolves.toBe(message);
    await expect(rule.count()).resolves.toBe(0);
    await save.click();
    await page.getByText('Ajustes guardados').waitFor();
    expect(saves).toHaveLength(1);
    expect((await client.get('/api/whatsapp/config')).body.settings.ctaMessage).toBe(message);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe("the template editor's name", () => {
  // The server counts this name in characters, up to 100 (check-template-draft.ts). The box held it
  // to 80 UTF-16 units (40 emoji), then to 100 units while the server still counted those (50).
  it('saves a pasted name of 100 emoji whole, and says before saving that 101 are too many', async () => {
    const { client } = await signUpAdvisor(suite.web.url, 'Plantilla Emoji');
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url);
    await useSessionOf(context, client);
    const saves = requestsTo(page, 'POST', '/api/whatsapp/templates');
    await page.goto('/templates/new');
    const box = page.getByLabel('Nombre', { exact: true });
    const save = page.getByRole('button', { name: 'Guardar' });
    const rule = page.getByText('Como máximo 100 caracteres.');
    await page.getByTestId('template-body').fill('Hola {nombre_cliente}, tu bono te espera.');

    // 101 emoji: kept whole, the rule as it is typed, and nothing saved.
    await box.focus();
    await page.keyboard.insertText('🌿'.repeat(101));
    await expect(box.inputValue()).resolves.toBe('🌿'.repeat(101));
    await rule.waitFor();
    await save.click();
    await rule.waitFor();
    expect(saves).toEqual([]);

    // 100 emoji (200 UTF-16 units) are saved as typed.
    const name = '🌿'.repeat(100);
    await box.fill('');
    await page.keyboard.insertText(name);
    await expect(box.inputValue()).resolves.toBe(name);
    await expect(rule.count()).resolves.toBe(0);
    await save.click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    expect(saves).toHaveLength(1);
    const own = (await client.get('/api/whatsapp/templates')).body.items.filter(
      (tpl: { builtIn: boolean }) => !tpl.builtIn,
    );
    expect(own).toMatchObject([{ name, body: 'Hola {nombre_cliente}, tu bono te espera.' }]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
