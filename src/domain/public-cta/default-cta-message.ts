// The public button's pre-filled message when the advisor wrote none: in the language their
// templates go out in (templateLanguageForLocale), since their clients read both.
import { templateLanguageForLocale, type TemplateLanguage } from '../templates/template-language.js';

const DEFAULT_CTA_MESSAGE: Record<TemplateLanguage, string> = {
  es: 'Hola, me gustaría reservar una cita',
  en: 'Hi, I would like to book an appointment',
  pt: 'Olá, gostaria de agendar uma consulta',
};

export function defaultCtaMessage(locale: string): string {
  return DEFAULT_CTA_MESSAGE[templateLanguageForLocale(locale)];
}
