// Live, forgiving check of what the advisor types as a recipient, so mistakes show before
// sending. The server normalises and validates for real (invalid_phone); this only mirrors the
// common cases: an international number, or a national one read with the default country.

/** Calling codes of the countries our advisors work in most; others can type `+code…`. */
export const CALLING_CODES: Record<string, string> = {
  ES: '34',
  MX: '52',
  AR: '54',
  CO: '57',
  CL: '56',
  PE: '51',
  US: '1',
  CA: '1',
  GB: '44',
  IE: '353',
  FR: '33',
  DE: '49',
  IT: '39',
  PT: '351',
  BR: '55',
  UY: '598',
  VE: '58',
  EC: '593',
  BO: '591',
  PY: '595',
  CR: '506',
  PA: '507',
  DO: '1',
  PR: '1',
  GT: '502',
  SV: '503',
  HN: '504',
  NI: '505',
  CU: '53',
  AD: '376',
  NL: '31',
  BE: '32',
  CH: '41',
  AT: '43',
};

export type PhoneCheck =
  | { state: 'empty' }
  | { state: 'ok'; e164: string; assumedCountry: string | null }
  | { state: 'invalid'; reason: 'characters' | 'length' | 'country' };

export function checkPhoneInput(raw: string, defaultCountry: string): PhoneCheck {
  const value = raw.trim();
  if (!value) return { state: 'empty' };
  if (/[^\d\s+().\-/]/.test(value)) return { state: 'invalid', reason: 'characters' };
  let digits = value.replace(/[^\d+]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (digits.lastIndexOf('+') > 0) return { state: 'invalid', reason: 'characters' };
  if (digits.startsWith('+')) {
    const national = digits.slice(1);
    if (national.length < 8 || national.length > 15) return { state: 'invalid', reason: 'length' };
    return { state: 'ok', e164: `+${national}`, assumedCountry: null };
  }
  const code = CALLING_CODES[defaultCountry.toUpperCase()];
  if (!code) return { state: 'invalid', reason: 'country' };
  // A trunk 0 is dropped in international format, except in Italy where it belongs to the number.
  const national = defaultCountry.toUpperCase() === 'IT' ? digits : digits.replace(/^0/, '');
  if (national.length < 6 || national.length + code.length > 15)
    return { state: 'invalid', reason: 'length' };
  return { state: 'ok', e164: `+${code}${national}`, assumedCountry: defaultCountry.toUpperCase() };
}

/** `+34612345678` → `+34 612 34 56 78`-ish grouping for reading, not for sending. */
export function displayPhone(e164: string | null | undefined): string {
  if (!e164) return '—';
  const m = /^\+(\d+)$/.exec(e164);
  if (!m?.[1]) return e164;
  const digits = m[1];
  const codes = Object.values(CALLING_CODES).sort((a, b) => b.length - a.length);
  const code = codes.find((c) => digits.startsWith(c)) ?? digits.slice(0, 2);
  const rest = digits.slice(code.length);
  const groups =
    rest.length === 9
      ? [rest.slice(0, 3), rest.slice(3, 5), rest.slice(5, 7), rest.slice(7)]
      : (rest.match(/.{1,3}/g) ?? []);
  return `+${code} ${groups.join(' ')}`;
}
