import { describe, expect, it } from 'vitest';
import { initialTemplateLanguage } from './template-language';

describe('initialTemplateLanguage', () => {
  it.each([
    ['es', 'pt-BR', 'pt'],
    ['en', 'pt-PT', 'pt'],
    ['es', 'PT', 'pt'],
    ['es', 'es-MX', 'es'],
    ['en', 'es-ES', 'en'],
    ['es', 'en-GB', 'es'],
    ['es', 'fr-FR', 'es'],
    ['en', undefined, 'en'],
    ['pt', 'es-ES', 'pt'],
    ['pt', 'pt-BR', 'pt'],
    ['pt', undefined, 'pt'],
  ] as const)('dashboard in %s, advisor locale %s → %s', (lang, locale, expected) => {
    expect(initialTemplateLanguage(lang, locale)).toBe(expected);
  });
});
