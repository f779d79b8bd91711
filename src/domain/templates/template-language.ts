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

/**
 * The locale the dates and times inside an advisor's messages are written in: the advisor's own
 * when it speaks the language the messages are sent in (es-MX keeps its "9:30 a.m.", en-GB its
 * "09:30"), else that language in the advisor's region. A ca-ES, fr-FR or de-DE advisor (the
 * dashboard offers them) gets the Spanish built-ins, and the date in them read "dimarts, 1 de
 * desembre del 2026" or "Dienstag, 1. Dezember 2026" inside a Spanish sentence.
 */
export function messageLocale(locale: string): string {
  const language = templateLanguageForLocale(locale);
  let parsed: Intl.Locale;
  try {
    parsed = new Intl.Locale(locale.trim().replace(/_/g, '-'));
  } catch {
    return language; // not a BCP-47 tag: the settings never store one, so only hand-made input
  }
  if (parsed.language === language) return locale;
  const regional = parsed.region ? `${language}-${parsed.region}` : language;
  return Intl.DateTimeFormat.supportedLocalesOf(regional).length > 0 ? regional : language;
}
