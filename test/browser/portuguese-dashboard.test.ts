// The dashboard in Brazilian Portuguese: the switch offers it, the choice survives a reload, and
// every screen reads in Portuguese (no Spanish left over, dates and names of languages in pt-BR)
// on a desktop and on a phone.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, screenshot } from './support/browser.js';
import { signUpInContext } from './support/session.js';
import { DEVICES, useWebAndBrowser } from './support/suite.js';
import { loadDictionary, spanishLeftovers, spanishOnly } from './support/untranslated-texts.js';

const suite = useWebAndBrowser();

const SCREENS = [
  { path: '/whatsapp', name: 'whatsapp', heading: 'WhatsApp' },
  { path: '/send', name: 'send', heading: 'Enviar mensagem' },
  { path: '/inbox', name: 'inbox', heading: 'Caixa de entrada' },
  { path: '/messages', name: 'messages', heading: 'Mensagens' },
  { path: '/appointments', name: 'appointments', heading: 'Consultas' },
  { path: '/templates', name: 'templates', heading: 'Modelos' },
  { path: '/templates/new', name: 'template-new', heading: 'Novo modelo' },
  { path: '/analytics', name: 'analytics', heading: 'Análises' },
  { path: '/settings', name: 'settings', heading: 'Configurações' },
  { path: '/integrations', name: 'integrations', heading: 'Integrações' },
];

/** Signs a fresh advisor up and switches the dashboard to Portuguese with the switch itself. */
async function inPortuguese(page: Page): Promise<void> {
  await page.goto('/integrations');
  await page.getByRole('heading', { name: 'Integraciones', level: 1 }).waitFor();
  await page.getByRole('group', { name: 'Idioma' }).getByRole('button', { name: 'Português' }).click();
  await page.getByRole('heading', { name: 'Integrações', level: 1 }).waitFor();
}

describe('the dashboard in Brazilian Portuguese', () => {
  it('is offered by the switch, remembered, and formats dates the Brazilian way', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url);
    await signUpInContext(context, suite.web.url);
    await inPortuguese(page);
    const switcher = page.getByRole('group', { name: 'Idioma' });
    await expect(
      switcher.getByRole('button', { name: 'Português' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    await expect(
      switcher.getByRole('button', { name: 'Español' }).getAttribute('aria-pressed'),
    ).resolves.toBe('false');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('pt-BR');
    await expect(
      page.getByRole('navigation', { name: 'Seções' }).getByRole('link', { name: 'Modelos' }).count(),
    ).resolves.toBe(1);

    // A key's creation date, in the dashboard's locale: "15 de jan. de 2027", not "15 ene 2027".
    await page.getByLabel('Nome').fill('Agenda online');
    await page.getByRole('button', { name: 'Criar chave' }).click();
    await page.getByTestId('new-api-key').waitFor();
    await page.getByRole('button', { name: 'Já guardei' }).click();
    const created = await page.getByTestId('api-key-row').locator('td[data-label="Criada"]').innerText();
    const today = await page.evaluate(() =>
      new Intl.DateTimeFormat('pt-BR', { dateStyle: 'medium', timeZone: 'Europe/Madrid' }).format(new Date()),
    );
    expect(today).toMatch(/^\d{1,2} de \p{L}+\.? de \d{4}$/u);
    expect(created).toContain(today);

    await page.reload();
    await page.getByRole('heading', { name: 'Integrações', level: 1 }).waitFor();
    await expect(page.evaluate(() => localStorage.getItem('ww.lang'))).resolves.toBe('pt');

    // The templates open on the Portuguese ones, as the dashboard reads.
    await page.goto('/templates');
    const filter = page.getByRole('group', { name: 'Idioma' }).filter({ hasText: 'Todos' });
    await expect(
      filter.getByRole('button', { name: 'Português' }).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    await page.getByText('Confirmação de consulta').waitFor();

    // The settings name the formats in Portuguese too (Intl, in the dashboard's locale).
    await page.goto('/settings');
    await page.getByRole('option', { name: 'português (Brasil) (pt-BR)' }).waitFor({ state: 'attached' });

    // And back to Spanish.
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Ajustes', level: 1 }).waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  describe.each(DEVICES)('on a $device', ({ device, viewport, isMobile }) => {
    it('reads every screen in Portuguese, with no Spanish left over', async () => {
      const spanish = spanishOnly(await loadDictionary('pt'));
      const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, viewport, {
        isMobile,
      });
      await signUpInContext(context, suite.web.url);
      await inPortuguese(page);
      for (const screen of SCREENS) {
        await page.goto(screen.path);
        await page.getByRole('heading', { level: 1, name: screen.heading }).waitFor();
        await page.locator('.loading').waitFor({ state: 'detached', timeout: 15_000 });
        await expect(spanishLeftovers(page, spanish), `Spanish on ${screen.path}`).resolves.toEqual([]);
        if (device === 'phone') {
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${screen.path} overflows the phone width`).toBeLessThanOrEqual(0);
        }
        await screenshot(page, `pt-${screen.name}-${device}`);
      }
      expect(pageErrors).toEqual([]);
      await context.close();
    }, 180_000);
  });
});
