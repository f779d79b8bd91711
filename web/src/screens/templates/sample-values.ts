import type { Translate } from '../../i18n/i18n-context';
import { serverNow } from '../../lib/server-clock';
import { messageLocale } from '../../lib/template-language';

/** Where the advisor works (settings.locale and settings.timezone): how their clients read dates. */
export interface SampleRegion {
  locale: string;
  timezone: string;
}

/**
 * A sample appointment a week from today where the advisor is, at 10:30 on that wall clock. The
 * instant is built and formatted in UTC, so no zone shifts the 10:30; the advisor's zone only
 * decides which day "today" is, and the server's clock which instant is now.
 */
function sampleAppointment(timezone: string, now: Date): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return new Date(Date.UTC(part('year'), part('month') - 1, part('day') + 7, 10, 30));
}

/** As the server writes {fecha_cita} and {hora_cita} (format-appointment-time.ts): plain spaces. */
const plainSpaces = (text: string) => text.replace(/\p{Zs}/gu, ' ');

/**
 * {fecha_cita} and {hora_cita} as the server writes them for the advisor's locale (in the language
 * of their messages: a ca-ES advisor's are Spanish), or null when the browser cannot (bad tag).
 */
export function sampleDateTime(
  region: SampleRegion,
  now = new Date(serverNow()),
): { fecha_cita: string; hora_cita: string } | null {
  try {
    const at = sampleAppointment(region.timezone, now);
    const locale = messageLocale(region.locale);
    const date = new Intl.DateTimeFormat(locale, {
      timeZone: 'UTC',
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    });
    const time = new Intl.DateTimeFormat(locale, {
      timeZone: 'UTC',
      hour: 'numeric',
      minute: '2-digit',
    });
    return { fecha_cita: plainSpaces(date.format(at)), hora_cita: plainSpaces(time.format(at)) };
  } catch {
    return null;
  }
}

/** Plausible values for the built-in variables, so a preview reads like a real message. */
export function sampleValues(t: Translate, advisorName: string): Record<string, string> {
  return {
    nombre_cliente: t('sample.clientName'),
    fecha_cita: t('sample.date'),
    hora_cita: t('sample.time'),
    nombre_asesor: advisorName,
    direccion: t('sample.address'),
    mensaje_personalizado: t('sample.personal'),
  };
}
