import { DateTime, Info } from 'luxon';

import { supportedLocale } from '../time/zone-and-locale.js';
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
  if (!supportedLocale(locale)) throw new AppointmentTimeFormatError('unknown_locale', locale);
  return DateTime.fromJSDate(instant, { zone: timezone }).setLocale(locale);
}

/**
 * Recent ICU puts narrow no-break spaces (U+202F) or no-break spaces (U+00A0) in times such as
 * "2:30 p. m."; some WhatsApp clients render them as boxes or odd gaps, so every space separator
 * becomes a plain space.
 */
function plainSpaces(text: string): string {
  return text.replace(/\p{Zs}/gu, ' ');
}
