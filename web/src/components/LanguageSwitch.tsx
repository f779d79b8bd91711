import { LANG_TAGS, LANGS, useI18n, type Lang } from '../i18n/i18n-context';

// A Record, so a language added to LANGS without its button is a type error.
const NAMES: Record<Lang, { label: string; name: string }> = {
  es: { label: 'ES', name: 'Español' },
  en: { label: 'EN', name: 'English' },
  pt: { label: 'PT', name: 'Português' },
};

/** One pressed-state button per language; each names its language in that language. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t('common.language')}>
      {LANGS.map((l) => (
        <button
          key={l}
          type="button"
          lang={LANG_TAGS[l]}
          aria-pressed={lang === l}
          aria-label={NAMES[l].name}
          onClick={() => setLang(l)}
        >
          {NAMES[l].label}
        </button>
      ))}
    </div>
  );
}
