// The whole journey through the dashboard, against the real service in sandbox mode: connect by
// QR, simulate the scan, send a template and watch its ticks, read the client's reply in the
// inbox, answer, see the opt-out; edit a template with its live preview; open the public page.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { shotOnFailure } from './support/advisor-actions.js';
import { DESKTOP, openPage, PHONE, screenshot } from './support/browser.js';
import { signUpInContext } from './support/session.js';
import { pauseSending } from '../../src/domain/instances/pause-sending.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();

async function connect(page: Page): Promise<void> {
  await page.goto('/whatsapp');
  await page.getByRole('button', { name: 'Conectar WhatsApp Business' }).click();
  await page.getByTestId('qr-image').waitFor();
  await page.getByTestId('qr-countdown').waitFor();
  await page.locator('[data-testid="connection-status"] [data-status="qr_pending"]').waitFor();
}

async function simulateClient(page: Page, text: string): Promise<void> {
  await page.goto('/whatsapp');
  const sandbox = page.getByRole('region', { name: 'Simulador' });
  await sandbox.getByLabel('Teléfono del cliente').fill('+34 612 34 56 78');
  await sandbox.getByLabel('Nombre en WhatsApp').fill('Lucía Pérez');
  await sandbox.getByLabel('Texto').fill(text);
  await sandbox.getByRole('button', { name: 'Simular mensaje de cliente' }).click();
  await page.getByText('Mensaje simulado enviado a tu bandeja').waitFor();
}

describe('the advisor journey', () => {
  it('connects, sends a template, follows its ticks, answers a client and sees the opt-out', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, DESKTOP);
    shotOnFailure(page, 'journey');
    await signUpInContext(context, suite.web.url);

    await connect(page);
    await screenshot(page, 'flow-qr-desktop');
    await page.getByRole('button', { name: 'Simular escaneo' }).click();
    await page
      .locator('[data-testid="connection-status"] [data-status="connected"]')
      .waitFor({ timeout: 15_000 });
    await page.getByTestId('connected-phone').waitFor();
    await screenshot(page, 'flow-connected-desktop');

    await page.getByRole('navigation', { name: 'Secciones' }).getByRole('link', { name: 'Enviar' }).click();
    // Live validation with the advisor's default country (ES), before anything is sent.
    await page.getByTestId('recipient').fill('612 34');
    await page.getByText('El número no tiene la longitud correcta.').waitFor();
    await page.getByTestId('recipient').fill('612 34 56 78');
    await expect(page.getByTestId('recipient-hint').textContent()).resolves.toContain('+34 612 34 56 78');
    await page.getByLabel('Nombre del cliente (opcional)').fill('Lucía Pérez');
    await page.getByText('Plantilla', { exact: true }).click();
    const select = page.getByTestId('template-select');
    await select.locator('option', { hasText: 'Confirmación de cita (ES)' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: 'Confirmación de cita (ES)' });
    for (const input of await page.locator('[data-variable]').all()) {
      if (!(await input.inputValue()))
        await input.fill((await input.getAttribute('data-variable')) === 'hora_cita' ? '10:30' : 'martes 3');
    }
    await page.getByTestId('message-preview').getByText('Lucía Pérez').waitFor();
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    const result = page.getByTestId('sent-result');
    await result.waitFor();
    await result.locator('[data-status="read"]').waitFor({ timeout: 20_000 });
    await screenshot(page, 'flow-sent-desktop');

    await page.goto('/messages');
    const row = page.getByTestId('message-row').first();
    await row.waitFor();
    await expect(row.getAttribute('data-status')).resolves.toBe('read');
    await screenshot(page, 'flow-messages-desktop');

    await simulateClient(page, 'Hola, ¿puedo cambiar la cita al jueves?');
    await page.goto('/inbox');
    const conversation = page.getByTestId('conversation').first();
    await conversation.getByTestId('unread-count').waitFor();
    await conversation.click();
    await page
      .locator('[data-testid="chat-bubble"][data-direction="inbound"]', { hasText: 'cambiar la cita' })
      .waitFor();
    await conversation.getByTestId('unread-count').waitFor({ state: 'detached' });
    await page.getByTestId('reply-text').fill('¡Claro! Te paso al jueves a las 10:30.');
    await page.keyboard.press('Enter');
    await page
      .locator('[data-testid="chat-bubble"][data-direction="outbound"]', { hasText: 'jueves a las 10:30' })
      .waitFor();
    await screenshot(page, 'flow-inbox-desktop');

    // The client opts out by writing BAJA: the inbox shows it and replying is off.
    await simulateClient(page, 'BAJA');
    await page.goto('/inbox');
    await page.getByTestId('conversation').first().click();
    await page.getByTestId('opted-out-badge').waitFor();
    await expect(page.getByTestId('reply-text').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('opt-out-toggle').getAttribute('aria-checked')).resolves.toBe('true');
    // Writing to her again is asked first: she asked not to be contacted.
    await page.getByTestId('opt-out-toggle').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Volver a enviarle mensajes' }).click();
    await page.getByTestId('opted-out-badge').waitFor({ state: 'detached' });
    await expect(page.getByTestId('reply-text').isDisabled()).resolves.toBe(false);

    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it('shows the inbox one pane at a time on a phone', async () => {
    const { page, context } = await openPage(suite.browser, suite.web.url, PHONE, { isMobile: true });
    shotOnFailure(page, 'inbox-phone');
    await signUpInContext(context, suite.web.url);
    await connect(page);
    await page.getByRole('button', { name: 'Simular escaneo' }).click();
    await page
      .locator('[data-testid="connection-status"] [data-status="connected"]')
      .waitFor({ timeout: 15_000 });
    await simulateClient(page, 'Hola, quería información de los bonos');
    await page.goto('/inbox');
    await page.getByTestId('conversation').first().waitFor();
    await screenshot(page, 'flow-inbox-list-phone');
    await page.getByTestId('conversation').first().click();
    await page.getByTestId('reply-text').waitFor();
    await expect(page.getByTestId('conversation').first().isVisible()).resolves.toBe(false);
    await screenshot(page, 'flow-inbox-chat-phone');
    await context.close();
  }, 90_000);

  it('edits a template with variable chips and a live preview', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, DESKTOP);
    shotOnFailure(page, 'template-editor');
    await signUpInContext(context, suite.web.url);
    await page.goto('/templates');
    await page.getByTestId('template-card').first().waitFor();
    await screenshot(page, 'flow-templates-desktop');
    await page.getByRole('link', { name: 'Nueva plantilla' }).click();
    await page.getByLabel('Nombre', { exact: true }).fill('Bono de bienvenida');
    await page.getByLabel('Tipo').selectOption('custom');
    const body = page.getByTestId('template-body');
    await body.fill('Hola ');
    await page.getByRole('button', { name: '{nombre_cliente}' }).click();
    await body.press('End');
    await body.type(', tu bono de {sesiones} sesiones te espera.');
    const preview = page.getByTestId('message-preview');
    await preview.getByText('Hola Lucía, tu bono de {sesiones} sesiones te espera.').waitFor();
    await page.getByLabel('{sesiones}').fill('5');
    await preview.getByText('Hola Lucía, tu bono de 5 sesiones te espera.').waitFor();
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.waitForURL(/\/templates\/[^/]+$/);
    await page.getByText('Plantilla guardada').waitFor();
    await preview.getByText('Hola Lucía, tu bono de 5 sesiones te espera.').waitFor();
    await screenshot(page, 'flow-template-editor-desktop');

    // A variable the category does not allow is caught next to the body.
    await page.getByLabel('Tipo').selectOption('reminder');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.locator('.field-error', { hasText: '{sesiones}' }).first().waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it('opens the public page with a WhatsApp button for the advisor', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, PHONE, {
      isMobile: true,
    });
    shotOnFailure(page, 'public-page');
    await signUpInContext(context, suite.web.url, 'Marta Sánchez');
    await connect(page);
    await page.getByRole('button', { name: 'Simular escaneo' }).click();
    await page
      .locator('[data-testid="connection-status"] [data-status="connected"]')
      .waitFor({ timeout: 15_000 });
    // The advisor's own tools for the button (website snippets, QR downloads) are on this screen.
    await page.getByText('Poner este botón en tu web').click();
    await expect(page.getByTestId('embed-script').textContent()).resolves.toContain('data-advisor=');
    await page.getByRole('link', { name: 'Ver mi perfil público' }).click();
    await page.waitForURL(/\/p\/[^/]+$/);
    const cta = page.getByTestId('whatsapp-cta');
    await cta.waitFor();
    // The button counts the click on our /go redirect, which sends the visitor on to wa.me.
    expect(await cta.getAttribute('href')).toMatch(/^\/api\/public\/advisors\/[a-z0-9-]+\/whatsapp\/go$/);
    expect(await cta.getAttribute('data-whatsapp-url')).toMatch(/^https:\/\/wa\.me\/\d{8,15}(\?text=.+)?$/);
    expect(await cta.getAttribute('target')).toBe('_blank');
    await expect(page.getByTestId('embed-script').count()).resolves.toBe(0);
    await screenshot(page, 'flow-public-profile-phone');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it('shows sends paused after a burst of failures, and resumes them with one click', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, DESKTOP);
    shotOnFailure(page, 'paused');
    await signUpInContext(context, suite.web.url, 'Clara Ruiz');
    await connect(page);
    await page.getByRole('button', { name: 'Simular escaneo' }).click();
    await page
      .locator('[data-testid="connection-status"] [data-status="connected"]')
      .waitFor({ timeout: 15_000 });
    const session = await (await context.request.get(`${suite.web.url}/api/auth/get-session`)).json();
    await page.locator('.live-dot.live-open').waitFor();

    // What the send worker does when a burst of failures trips the account-safety pause.
    await pauseSending(suite.web.service.runtime.ctx, session.user.id, { failures: 5, windowMinutes: 10 });
    const banner = page.locator('[data-alert="sending_paused"]');
    await banner.getByText('Pausamos tus envíos').waitFor();
    await screenshot(page, 'flow-sending-paused-desktop');
    await banner.getByRole('button', { name: 'Reanudar envíos' }).click();
    await banner.waitFor({ state: 'detached' });
    const config = await (await context.request.get(`${suite.web.url}/api/whatsapp/config`)).json();
    expect(config.alert ?? null).toBeNull();
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
