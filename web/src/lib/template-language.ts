// The languages the built-in templates come in, as the server names them (API-EXTENSIONS.md,
// "Templates"). The dashboard speaks the same three (its Portuguese is Brazilian, like the
// templates').
import type { Lang } from '../i18n/i18n-context';

export const TEMPLATE_LANGUAGES = ['es', 'en', 'pt'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

/**
 * The template language to show first: Portuguese for a pt-BR advisor even when they read the
 * dashboard in Spanish or English (their clients receive the Portuguese ones), else the
 * dashboard's own, Portuguese included.
 * The server picks the clients' language from the locale the same way
 * (src/domain/templates/template-language.ts).
 */
export function initialTemplateLanguage(lang: Lang, locale: string | undefined): TemplateLanguage {
  const language = locale?.trim().toLowerCase().split(/[-_]/)[0];
  return language === 'pt' ? 'pt' : lang;
}

/** The template language the server sends an advisor's messages in: `pt*` → pt, `en*` → en, else es. */
export function templateLanguageForLocale(locale: string): TemplateLanguage {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (TEMPLATE_LANGUAGES as readonly string[]).includes(language) ? (language as TemplateLanguage) : 'es';
}

/**
 * The locale the server writes {fecha_cita} and {hora_cita} in (messageLocale in
 * src/domain/templates/template-language.ts): the advisor's own when it speaks the language of
 * their messages, else that language in the advisor's region (ca-ES → es-ES). The preview must
 * use the same, or a ca-ES advisor sees "dimarts, 8 de desembre" where clients get "martes".
 */
export function messageLocale(locale: string): string {
  const language = templateLanguageForLocale(locale);
  let parsed: Intl.Locale;
  try {
    parsed = new Intl.Locale(locale.trim().replace(/_/g, '-'));
  } catch {
    return language;
  }
  if (parsed.language === language) return locale;
  const regional = parsed.region ? `${language}-${parsed.region}` : language;
  return Intl.DateTimeFormat.supportedLocalesOf(regional).length > 0 ? regional : language;
}
