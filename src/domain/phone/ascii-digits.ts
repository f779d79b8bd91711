// The digits a phone number may be typed in, as the ASCII ones our checks and the database use.
// The dashboard has its own copy (web/src/lib/phone-input.ts: web does not import server code);
// a change to the digits read here belongs there too.

/** Arabic-Indic digits (an Arabic keyboard, U+0660…), Extended Arabic-Indic ones (Persian, U+06F0…). */
const ARABIC_INDIC_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g;

/**
 * `text` with every digit libphonenumber reads written in ASCII: full-width digits and plus sign
 * (a CJK or mobile keyboard) by NFKC, Arabic-Indic and Persian digits by their value, which NFKC
 * leaves alone. Our own checks (`\d`, `\D`) see ASCII digits only, so a number typed on such a
 * keyboard was refused or had its digits dropped before libphonenumber, which reads them all,
 * could see it. POST /send's `to` and the history's phone filter both read through this.
 */
export function withAsciiDigits(text: string): string {
  return text.normalize('NFKC').replace(ARABIC_INDIC_DIGITS, (digit) => {
    const code = digit.charCodeAt(0);
    return String(code - (code >= 0x06f0 ? 0x06f0 : 0x0660));
  });
}
