import { DateTime, Info } from 'luxon';

import { AppointmentTimeFormatError } from './appointment-time-format-error.js';

/** "martes, 1 de diciembre de 2026", "Tuesday, December 1, 2026". */
export function formatAppointmentDate(instant: Date, timezone: string, locale: string): string {
  return plainSpaces(toZonedDateTime(instant, timezone, locale).toLocaleString(DateTime.DATE_HUGE));
}

/** "9:30 a.m." (es-MX), "9:30" (es-ES), "9:30 AM" (en): the locale decides the clock. */
export function formatAppointmentTime(instant: Date, timezone: string, locale: string): string {
  return plainSpaces(toZonedDateTime(instant, timezone, locale).toLocaleString(DateTime.TIME_SIMPLE));
}

/**
 * The wall-clock time comes from the IANA zone's rules for that very instant, so an appointment
 * stays at 10:00 on either side of a daylight-saving change.
 */
function toZonedDateTime(instant: Date, timezone: string, locale: string): DateTime {
  if (Number.isNaN(instant.getTime()))
    throw new AppointmentTimeFormatError('invalid_instant', String(instant));
  if (!Info.isValidIANAZone(timezone)) throw new AppointmentTimeFormatError('unknown_timezone', timezone);
  if (!isSupportedLocale(locale)) throw new AppointmentTimeFormatError('unknown_locale', locale);
  return DateTime.fromJSDate(instant, { zone: timezone }).setLocale(locale);
}

/**
 * Intl would otherwise quietly fall back to the process's default locale for a well-formed tag it
 * has no data for ("zz"), and the client would get a date in the wrong language.
 */
function isSupportedLocale(locale: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(locale).length > 0;
  } catch {
    return false; // not even a well-formed BCP-47 tag
  }
}

/**
 * Recent ICU puts narrow no-break spaces (U+202F) or no-break spaces (U+00A0) in times such as
 * "2:30 p. m."; some WhatsApp clients render them as boxes or odd gaps, so every space separator
 * becomes a plain space.
 */
function plainSpaces(text: string): string {
  return text.replace(/\p{Zs}/gu, ' ');
}
