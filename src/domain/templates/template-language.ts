/** Languages that have built-in templates. */
export const TEMPLATE_LANGUAGES = ['es', 'en'] as const;

export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export function isTemplateLanguage(value: string): value is TemplateLanguage {
  return (TEMPLATE_LANGUAGES as readonly string[]).includes(value);
}

/**
 * Picks the built-in language for an advisor's BCP-47 locale ("es-MX" → "es").
 *
 * Any other language falls back to Spanish: the platform's advisors are in Spain and Latin
 * America, the default locale is Spanish, and for the nearest other audience (Brazil) Spanish
 * is closer than English.
 */
export function templateLanguageForLocale(locale: string): TemplateLanguage {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0];
  return language === 'en' ? 'en' : 'es';
}
