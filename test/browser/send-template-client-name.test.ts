// The Send screen fills a template's {nombre_cliente} from the client's name typed beside the
// recipient: the whole name as typed, key by key, and the name as it is now when it changes, until
// the advisor writes a value of their own in the variable's box.
import { describe, expect, it } from 'vitest';
import { newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { listedMessages } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite);

describe("a template's client name on the Send screen", () => {
  it('is the name typed beside the recipient, whole, until the advisor writes their own', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Nombre Tecleado');
    const made = await advisor.client.post('/api/whatsapp/templates', {
      key: 'saludo_cliente',
      name: 'Saludo',
      category: 'custom',
      language: 'es',
      body: 'Hola {nombre_cliente}, ¿qué tal el plan?',
    });
    expect(made.status).toBe(201);
    const to = newPhone();
    await page.goto('/send');
    await page.getByTestId('recipient').fill(to);
    // Typed as an advisor types it: one key at a time (fill() puts the name in at once).
    const clientName = page.getByLabel('Nombre del cliente (opcional)');
    await clientName.pressSequentially('Eva López');
    await page.getByRole('radio', { name: 'Plantilla' }).check();
    await page.getByRole('combobox', { name: 'Plantilla' }).selectOption(made.body.id);
    const variable = page.locator('[data-variable="nombre_cliente"]');
    await expect.poll(() => variable.inputValue()).toBe('Eva López');

    // A name corrected after the template was chosen is the one the template says.
    await clientName.press('End');
    for (let i = 0; i < 'López'.length; i++) await clientName.press('Backspace');
    await clientName.pressSequentially('Ruiz');
    await expect.poll(() => variable.inputValue()).toBe('Eva Ruiz');

    // What the advisor writes in the variable's own box stays theirs.
    await variable.fill('Evita');
    await clientName.press('End');
    await clientName.pressSequentially(' M.');
    await expect.poll(() => variable.inputValue()).toBe('Evita');
    await page.getByTestId('message-preview').getByText('Hola Evita,').waitFor();

    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByTestId('sent-result').waitFor();
    const sent = await waitFor(
      () => listedMessages(advisor, 'direction=outbound'),
      (items) => items.length === 1,
      { what: 'the message sent' },
    );
    expect(sent[0]).toMatchObject({ clientName: 'Eva Ruiz M.', text: 'Hola Evita, ¿qué tal el plan?' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
