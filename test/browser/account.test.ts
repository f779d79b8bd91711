// The parts of the dashboard that work against today's server: creating an account, the
// signed-in shell, API keys (create, copy, revoke), signing out and in, the language switch and
// the phone-width layout.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DESKTOP, openPage, PHONE, screenshot, uniqueEmail } from './support/browser.js';
import { useWebAndBrowser } from './support/suite.js';

// A real server and a real browser on a busy machine: give each test room.

// Live-events streams check their session every second here, so an ended session shows quickly.
const suite = useWebAndBrowser({
  testTimeoutMs: 90_000,
  service: { env: { LIVE_EVENTS_RECHECK_MS: '1000', SESSION_CACHE_TTL_MS: '0' } },
});
const password = 'correct-horse-9';
const email = uniqueEmail();

async function signIn(page: Page): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Contraseña', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByRole('button', { name: 'Salir' }).waitFor();
}

describe('advisor account in the browser', () => {
  it('signs up, creates, copies and revokes an API key, signs out and back in', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url);

    await page.goto('/');
    await page.waitForURL('**/sign-in');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Hola de nuevo');
    await screenshot(page, 'sign-in-desktop');

    await page.getByRole('link', { name: 'Crear cuenta' }).click();
    await page.waitForURL('**/sign-up');
    // Client-side checks speak before anything is sent.
    await page.getByRole('button', { name: 'Crear cuenta' }).click();
    await page.getByText('Escribe tu nombre.').waitFor();
    // Past the server's 100 characters, in Spanish on the field, before anything is sent.
    await page.getByLabel('Tu nombre').fill(`Ana ${'López '.repeat(20)}`);
    await page.getByRole('button', { name: 'Crear cuenta' }).click();
    await page.getByText('Tu nombre puede tener hasta 100 caracteres (lo ven tus clientes).').waitFor();
    await page.getByLabel('Tu nombre').fill('Ana López');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Contraseña', { exact: true }).fill(password);
    await screenshot(page, 'sign-up-desktop');
    await page.getByRole('button', { name: 'Crear cuenta' }).click();

    await page.waitForURL('**/whatsapp');
    await page.getByRole('navigation', { name: 'Secciones' }).waitFor();
    await expect(page.locator('.user-name').textContent()).resolves.toContain('Ana López');

    await page.getByRole('link', { name: 'Integraciones' }).click();
    await page.waitForURL('**/integrations');
    await page.getByText('Aún no tienes claves').waitFor();
    await page.getByLabel('Nombre').fill('Agenda online');
    await page.getByRole('button', { name: 'Crear clave' }).click();
    const secret = page.getByTestId('new-api-key');
    await secret.waitFor();
    const key = (await secret.textContent()) ?? '';
    expect(key).toMatch(/^ww_/);
    await page.getByRole('button', { name: 'Copiar clave' }).click();
    await page.getByRole('button', { name: 'Copiado' }).waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(key);
    await expect(page.getByTestId('api-key-row').count()).resolves.toBe(1);
    await screenshot(page, 'integrations-key-created-desktop');

    await page.getByRole('button', { name: 'Ya la he guardado' }).click();
    await expect(page.getByTestId('new-api-key').count()).resolves.toBe(0);
    // The list never shows the secret again.
    await expect(page.locator('body').textContent()).resolves.not.toContain(key);

    // Escape closes the confirmation without revoking, and focus returns to the button. The
    // button names the key it revokes: every row's used to be just "Revocar" to a screen reader.
    const revoke = page.getByRole('button', { name: 'Revocar la clave «Agenda online»', exact: true });
    await revoke.click();
    const dialog = page.getByRole('dialog', { name: '¿Revocar esta clave?' });
    await dialog.waitFor();
    await screenshot(page, 'integrations-revoke-dialog-desktop');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(revoke.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expect(page.getByTestId('api-key-row').count()).resolves.toBe(1);

    await revoke.click();
    await dialog.getByRole('button', { name: 'Revocar' }).click();
    await page.getByText('Aún no tienes claves').waitFor();
    const keys = await page.request.get('/api/api-keys');
    expect((await keys.json()).items).toHaveLength(0);
    // The revoked key no longer authenticates.
    const asKey = await page.request.get('/api/api-keys', { headers: { 'x-api-key': key, cookie: '' } });
    expect(asKey.status()).toBe(401);

    // Signing out ends the session's live-events stream on the server, which can reach the page
    // before the sign-out's own answer does (it did in CI). Holding that answer makes the order
    // certain: it is still the advisor's own sign-out, so no "session ended" and no `?next=`.
    await page.route('**/api/auth/sign-out', async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await route.fulfill({ response });
    });
    await page.getByRole('button', { name: 'Salir' }).click();
    await page.waitForURL('**/sign-in');
    await expect(page.getByText('Tu sesión ha terminado', { exact: false }).count()).resolves.toBe(0);
    await page.unroute('**/api/auth/sign-out');

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Contraseña', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('alert').getByText('El email o la contraseña no son correctos.').waitFor();
    await screenshot(page, 'sign-in-error-desktop');

    await page.getByLabel('Contraseña', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL('**/whatsapp');
    await page.getByRole('navigation', { name: 'Secciones' }).waitFor();

    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('takes a key revoked meanwhile elsewhere as revoked, not as an error', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url);
    await signIn(page);
    await page.goto('/integrations');
    await page.getByLabel('Nombre').fill('Agenda vieja');
    await page.getByRole('button', { name: 'Crear clave' }).click();
    await page.getByTestId('new-api-key').waitFor();
    await page.getByRole('button', { name: 'Ya la he guardado' }).click();
    const [created] = (await (await page.request.get('/api/api-keys')).json()).items;
    // Another tab revokes it; this one still lists it.
    expect((await page.request.delete(`/api/api-keys/${created.id}`)).status()).toBe(204);
    await page.getByRole('button', { name: 'Revocar' }).click();
    const dialog = page.getByRole('dialog', { name: '¿Revocar esta clave?' });
    await dialog.getByRole('button', { name: 'Revocar' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Aún no tienes claves').waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('sends a signed-out visitor to sign in and back to the page they asked for', async () => {
    const { page, context } = await openPage(suite.browser, suite.web.url);
    await page.goto('/integrations');
    await page.waitForURL('**/sign-in?next=%2Fintegrations');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Contraseña', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL('**/integrations');
    await page.getByRole('heading', { name: 'Integraciones', level: 1 }).waitFor();
    await context.close();
  });

  it('keeps the query of the page asked for: a Send link opens with its recipient after signing in', async () => {
    // Only the path went into ?next=, so /send?to=…&name=… opened an empty Send form.
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url);
    await page.goto('/send?to=%2B34600111222&name=Eva%20L%C3%B3pez');
    await page.waitForURL('**/sign-in?next=%2Fsend%3Fto%3D%252B34600111222%26name%3DEva%2520L%25C3%25B3pez');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Contraseña', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL('**/send?to=%2B34600111222&name=Eva%20L%C3%B3pez');
    await expect(page.getByTestId('recipient').inputValue()).resolves.toBe('+34600111222');
    await expect(page.getByLabel('Nombre del cliente (opcional)').inputValue()).resolves.toBe('Eva López');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('says why when a session ends under the advisor, and not to a visitor who was never in', async () => {
    const { page, context } = await openPage(suite.browser, suite.web.url);
    const notice = page.getByText('Tu sesión ha terminado');
    // This test is about the page's own request meeting the 401. The live stream (rechecking every
    // second here) would notice first whenever the click comes late on a busy machine, and the
    // link would be gone; the next test covers the stream.
    await page.route('**/api/whatsapp/events', (route) => route.abort());
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Entrar' }).waitFor();
    await expect(notice.count()).resolves.toBe(0);
    await signIn(page);
    await page.goto('/templates');
    await page.getByRole('heading', { name: 'Plantillas', level: 1 }).waitFor();
    // The screen's own reads (templates, the unread count, the number's status) may still be on
    // their way after the heading shows; one reaching the server after the sign-out would meet the
    // 401 before the click (CI, 2026-12-04: the link was gone when the click came).
    await page.waitForLoadState('networkidle');
    // Signed out elsewhere (another tab, an admin): the session is gone on the server.
    const out = await context.request.post(`${suite.web.url}/api/auth/sign-out`, {
      headers: { origin: suite.web.url },
      data: {},
    });
    expect(out.ok()).toBe(true);
    await page.getByRole('link', { name: 'Integraciones' }).click();
    await page.waitForURL('**/sign-in**');
    await notice.waitFor();
    await signIn(page);
    await expect(notice.count()).resolves.toBe(0);
    await context.close();
  });

  it('says so too when only the live stream notices, with the advisor idle on a screen', async () => {
    const { page, context } = await openPage(suite.browser, suite.web.url);
    await signIn(page);
    await page.goto('/messages');
    await page.locator('.live-dot.live-open').waitFor();
    const out = await context.request.post(`${suite.web.url}/api/auth/sign-out`, {
      headers: { origin: suite.web.url },
      data: {},
    });
    expect(out.ok()).toBe(true);
    // No click, no request from the page: the stream ends with `unauthorized` and says why.
    await page.waitForURL('**/sign-in**', { timeout: 10_000 });
    await page.getByText('Tu sesión ha terminado').waitFor();
    await context.close();
  });

  it('switches between Spanish and English and remembers the choice', async () => {
    const { page, context } = await openPage(suite.browser, suite.web.url);
    await signIn(page);
    await page.goto('/integrations');
    await page.getByRole('heading', { name: 'Integraciones', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await expect(page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).resolves.toBe(
      'true',
    );
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    await expect(
      page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Send' }).count(),
    ).resolves.toBe(1);
    await screenshot(page, 'integrations-english-desktop');

    await page.reload();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Integraciones', level: 1 }).waitFor();
    await context.close();
  });

  it('fits a 375 px phone: the navigation collapses into a menu', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, PHONE, {
      isMobile: true,
    });
    await page.goto('/sign-in');
    await screenshot(page, 'sign-in-phone');
    await signIn(page);
    await page.goto('/integrations');
    await page.getByRole('heading', { name: 'Integraciones', level: 1 }).waitFor();

    const nav = page.getByRole('navigation', { name: 'Secciones' });
    const toggle = page.getByRole('button', { name: 'Menú' });
    await expect(nav.isVisible()).resolves.toBe(false);
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'integrations-phone');

    await toggle.click();
    await nav.waitFor({ state: 'visible' });
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    await screenshot(page, 'menu-open-phone');
    await page.keyboard.press('Escape');
    await nav.waitFor({ state: 'hidden' });

    await toggle.click();
    await nav.getByRole('link', { name: 'Ajustes' }).click();
    await page.waitForURL('**/settings');
    await nav.waitFor({ state: 'hidden' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('is usable with the keyboard alone: skip link, labelled fields, visible focus', async () => {
    const { page, context } = await openPage(suite.browser, suite.web.url, DESKTOP);
    await signIn(page);
    await page.goto('/integrations');
    await page.getByRole('heading', { name: 'Integraciones', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Saltar al contenido' });
    await expect(skip.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');

    // Tab to the key name field and create a key with Enter.
    const name = page.getByLabel('Nombre');
    await name.focus();
    const outline = await name.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.type('Teclado');
    await page.keyboard.press('Enter');
    await page.getByTestId('new-api-key').waitFor();
    await context.close();
  });
});
