/** Languages that have built-in templates. */
export const TEMPLATE_LANGUAGES = ['es', 'en', 'pt'] as const;

export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export function isTemplateLanguage(value: string): value is TemplateLanguage {
  return (TEMPLATE_LANGUAGES as readonly string[]).includes(value);
}

/**
 * Picks the built-in language for an advisor's BCP-47 locale ("es-MX" → "es", "pt-BR" → "pt").
 *
 * Portuguese built-ins are written for Brazil, the platform's Portuguese-speaking market; a
 * pt-PT advisor gets them too, closer than Spanish. Any language without built-ins of its own
 * falls back to Spanish: the platform's advisors are in Spain and Latin America and the default
 * locale is Spanish.
 */
export function templateLanguageForLocale(locale: string): TemplateLanguage {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return isTemplateLanguage(language) ? language : 'es';
}
