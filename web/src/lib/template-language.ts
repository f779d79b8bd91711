// The languages the built-in templates come in, as the server names them (API-EXTENSIONS.md,
// "Templates"). The dashboard itself only speaks Spanish and English; the templates also come in
// Portuguese, for Brazil.
import type { Lang } from '../i18n/i18n-context';

export const TEMPLATE_LANGUAGES = ['es', 'en', 'pt'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

/**
 * The template language to show first: the one the advisor's clients receive when the dashboard
 * cannot speak it (a pt-BR advisor reading the dashboard in Spanish), else the dashboard's own.
 * The server picks the clients' language from the locale the same way
 * (src/domain/templates/template-language.ts).
 */
export function initialTemplateLanguage(lang: Lang, locale: string | undefined): TemplateLanguage {
  const language = locale?.trim().toLowerCase().split(/[-_]/)[0];
  return language === 'pt' ? 'pt' : lang;
}
