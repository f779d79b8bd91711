import type { BuiltinVariableName } from './template-variables.js';
import { formatAppointmentDate, formatAppointmentTime } from './format-appointment-time.js';
import { messageLocale } from './template-language.js';

export interface AppointmentForMessage {
  clientName: string;
  startsAt: Date;
  /** IANA zone the appointment happens in; the caller falls back to the advisor's setting. */
  timezone: string;
  address?: string | undefined;
}

export interface AdvisorForMessage {
  name: string;
  /**
   * BCP-47 locale; decides how the date and time read ("es-MX", "en-US"), in the language the
   * messages are sent in (messageLocale: a ca-ES advisor's Spanish messages get a Spanish date).
   */
  locale: string;
}

/** The variables an appointment may lack; every other built-in variable always has a value. */
type OptionalAppointmentVariable = 'direccion' | 'mensaje_personalizado';

export type AppointmentVariables = Record<Exclude<BuiltinVariableName, OptionalAppointmentVariable>, string> &
  Partial<Record<OptionalAppointmentVariable, string>>;

/**
 * The values of the built-in variables for one appointment.
 *
 * `direccion` and `mensaje_personalizado` are left out, not filled with a stand-in, when there is
 * nothing to say: rendering then reports them as missing and the API answers 422 instead of
 * sending a reminder that says "📍 " with nothing after it. The reminder body needs `direccion`,
 * so the automation decides what an appointment without an address means and passes it as the
 * address (see `ONLINE_APPOINTMENT_PLACE`); likewise the follow-up needs a personal message (see
 * `DEFAULT_FOLLOW_UP_MESSAGE`).
 */
export function buildAppointmentVariables(
  appointment: AppointmentForMessage,
  advisor: AdvisorForMessage,
  personalMessage?: string,
): AppointmentVariables {
  const locale = messageLocale(advisor.locale);
  const variables: AppointmentVariables = {
    nombre_cliente: appointment.clientName.trim(),
    fecha_cita: formatAppointmentDate(appointment.startsAt, appointment.timezone, locale),
    hora_cita: formatAppointmentTime(appointment.startsAt, appointment.timezone, locale),
    nombre_asesor: advisor.name.trim(),
  };
  const address = appointment.address?.trim();
  if (address) variables.direccion = address;
  const message = personalMessage?.trim();
  if (message) variables.mensaje_personalizado = message;
  return variables;
}
