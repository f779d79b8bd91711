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
    ['pt-BR', 'es'],
    ['fr-FR', 'es'],
  ])('%s → %s', (locale, language) => {
    expect(templateLanguageForLocale(locale)).toBe(language);
  });
});
