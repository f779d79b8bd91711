export type AppointmentTimeFormatProblem = 'unknown_timezone' | 'unknown_locale' | 'invalid_instant';

/**
 * The API validates timezones and locales when settings are saved, so reaching this is a bug or
 * stale data; a typed error lets the caller tell which value was bad instead of sending a message
 * that reads "Invalid DateTime".
 */
export class AppointmentTimeFormatError extends Error {
  override readonly name = 'AppointmentTimeFormatError';

  constructor(
    readonly problem: AppointmentTimeFormatProblem,
    readonly value: string,
  ) {
    super(`Cannot format an appointment time (${problem}): "${value}"`);
  }
}
