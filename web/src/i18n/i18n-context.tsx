// Spanish by default, English or Brazilian Portuguese on request; the choice lives in localStorage.
// `t(key, vars)` replaces `{name}` placeholders.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en';
import { es, type MessageKey } from './es';
import { pt } from './pt';

export const LANGS = ['es', 'en', 'pt'] as const;
export type Lang = (typeof LANGS)[number];
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const STORAGE_KEY = 'ww.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { es, en, pt };
const locales: Record<Lang, string> = { es: 'es-ES', en: 'en-GB', pt: 'pt-BR' };
/** The page's `lang` attribute: Brazilian, so a screen reader does not read it with a Lisbon voice. */
export const LANG_TAGS: Record<Lang, string> = { es: 'es', en: 'en', pt: 'pt-BR' };

interface I18n {
  lang: Lang;
  locale: string;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    const known = LANGS.find((l) => l === saved);
    if (known) return known;
  } catch {
    /* storage blocked: default */
  }
  return 'es';
}

export function interpolate(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = LANG_TAGS[lang];
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* not persisted */
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    return { lang, locale: locales[lang], setLang, t: (key, vars) => interpolate(dict[key] ?? key, vars) };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
