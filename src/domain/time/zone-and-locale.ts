// The one test of "is this a time zone / a locale we can use", shared by the settings, the
// appointments and the date formatting, so that a value one of them accepts never makes another
// fail later (a locale the settings took used to crash every booking with a 500).

// Both answers are memoised: settings are read on every send, and building an Intl formatter
// costs tens of microseconds. Inputs come from users, so the memo is bounded.
const MEMO_LIMIT = 2_000;
const zones = new Map<string, string | null>();
const locales = new Map<string, string | null>();

function memoised(memo: Map<string, string | null>, key: string, compute: (k: string) => string | null) {
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = compute(key);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/**
 * The zone's canonical IANA name ("america/mexico_city" → "America/Mexico_City"), or null when
 * Intl does not know it. Stored names are canonical so every consumer of the row can read them.
 */
export function canonicalTimeZone(zone: string): string | null {
  return memoised(zones, zone, resolveZone);
}

function resolveZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null; // RangeError: not a zone Intl knows
  }
}

/**
 * The locale's canonical BCP-47 tag ("ES-mx" → "es-MX"), or null when it is malformed or Intl has
 * no date data for it: for a well-formed tag it cannot serve ("zz") Intl would quietly fall back
 * to the process's default locale, and the client would get a date in the wrong language.
 */
export function supportedLocale(locale: string): string | null {
  return memoised(locales, locale, resolveLocale);
}

function resolveLocale(locale: string): string | null {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (!canonical) return null;
    return Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0 ? canonical : null;
  } catch {
    return null; // not even a well-formed BCP-47 tag
  }
}

/**
 * The tag without its extensions ("en-US-u-ca-islamic-nu-arab" → "en-US"; variants such as
 * "ca-ES-valencia" stay): a "-u-" extension makes Intl write dates in another calendar, with
 * other digits or another hour cycle, which a client reading {fecha_cita} would not expect.
 * Returns the input as it is when it is not a BCP-47 tag (supportedLocale refuses those).
 */
export function localeWithoutExtensions(locale: string): string {
  try {
    return new Intl.Locale(locale).baseName;
  } catch {
    return locale;
  }
}
