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
