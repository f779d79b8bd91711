import { useI18n, type Lang } from '../i18n/i18n-context';

const LANGS: { lang: Lang; label: string; name: string }[] = [
  { lang: 'es', label: 'ES', name: 'Español' },
  { lang: 'en', label: 'EN', name: 'English' },
];

/** Two pressed-state buttons; each names its language in that language. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t('common.language')}>
      {LANGS.map((l) => (
        <button
          key={l.lang}
          type="button"
          lang={l.lang}
          aria-pressed={lang === l.lang}
          aria-label={l.name}
          onClick={() => setLang(l.lang)}
        >
          {l.label}
        </button>
      ))}
    </div>
  );
}
