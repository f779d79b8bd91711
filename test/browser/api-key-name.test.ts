// An API key's name on the Integraciones screen, counted as the server counts it: up to 32
// characters, an emoji being one (API_KEY_NAME_MAX_LENGTH, code points). The box held 32 UTF-16
// units (HTML maxLength) and the form checked `length`, so an emoji counted twice: a pasted name of
// 20 emoji, which the server takes, was cut to 16 without a word.
import { describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { shotOnFailure } from './support/advisor-actions.js';
import { openPage } from './support/browser.js';
import { useSessionOf } from './support/session.js';
import { useWebAndBrowser } from './support/suite.js';
import { requestsTo } from './support/requests.js';

const suite = useWebAndBrowser();

describe('the name of a new API key', () => {
  it('takes 20 emoji, and says before sending that 33 characters are too many', async () => {
    const { client } = await signUpAdvisor(suite.web.url, 'Clave Emoji');
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url);
    await useSessionOf(context, client);
    shotOnFailure(page, 'api-key-name-emoji');
    const posts = requestsTo(page, 'POST', '/api/api-keys');
    await page.goto('/integrations');
    await page.getByText('Aún no tienes claves').waitFor();
    const box = page.getByLabel('Nombre', { exact: true });
    const create = page.getByRole('button', { name: 'Crear clave' });

    // Over 32 characters (33 emoji; then 33 letters): the rule, and nothing sent.
    await box.focus();
    await page.keyboard.insertText('🌿'.repeat(33));
    await expect(box.inputValue()).resolves.toBe('🌿'.repeat(33));
    await create.click();
    await page.getByText('Escribe un nombre de hasta 32 caracteres.').waitFor();
    await box.fill('');
    await page.keyboard.insertText('a'.repeat(33));
    await create.click();
    await page.getByText('Escribe un nombre de hasta 32 caracteres.').waitFor();
    expect(posts).toEqual([]);

    // 20 emoji, pasted whole, make the key.
    const name = '🌿'.repeat(20);
    await box.fill('');
    await page.keyboard.insertText(name);
    await expect(box.inputValue()).resolves.toBe(name);
    await create.click();
    await page.getByTestId('new-api-key').waitFor();
    await page.getByText(`Tu clave «${name}» está lista`).waitFor();
    await expect(page.getByText('Escribe un nombre de hasta 32 caracteres.').count()).resolves.toBe(0);
    const listed = (await client.get('/api/api-keys')).body.items.map((k: { name: string }) => k.name);
    expect(listed).toEqual([name]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
