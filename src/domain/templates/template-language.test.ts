import { describe, expect, it } from 'vitest';

import { templateLanguageForLocale } from './template-language.js';

describe('templateLanguageForLocale', () => {
  it.each([
    ['es-MX', 'es'],
    ['es-ES', 'es'],
    ['es', 'es'],
    ['en', 'en'],
    ['en-US', 'en'],
    ['EN-gb', 'en'],
    ['en_US', 'en'],
    ['pt-BR', 'pt'],
    ['pt-PT', 'pt'],
    ['pt', 'pt'],
    ['PT_br', 'pt'],
    ['fr-FR', 'es'],
    ['it', 'es'],
    ['ptx', 'es'],
  ])('%s → %s', (locale, language) => {
    expect(templateLanguageForLocale(locale)).toBe(language);
  });
});
