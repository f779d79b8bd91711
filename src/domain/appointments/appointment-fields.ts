// What an appointment is made of once validated: an E.164 phone (the advisor's default country for
// national numbers), an IANA zone (the advisor's when none is given), an end after the start. Also
// which fields differ between two versions, for idempotent repeats and no-op reschedules.
import type { AppointmentRow } from '../../db/repositories/appointment.repository.js';
import { AppError } from '../app-error.js';
import type { AdvisorSettings } from '../instances/advisor-settings.js';
import { normalizePhone } from '../phone/index.js';
import { canonicalTimeZone } from '../time/zone-and-locale.js';

export interface AppointmentFieldsInput {
  clientName: string;
  clientPhone: string;
  startsAt: Date;
  endsAt?: Date | null | undefined;
  timezone?: string | undefined;
  address?: string | null | undefined;
  notes?: string | null | undefined;
}

export interface AppointmentFields {
  clientName: string;
  clientPhone: string;
  startsAt: Date;
  endsAt: Date | null;
  timezone: string;
  address: string | null;
  notes: string | null;
}

export type AppointmentField = keyof AppointmentFields;

/** Appointments further ahead than this are refused: scheduled messages are bounded too. */
export const APPOINTMENT_MAX_AHEAD_MS = 365 * 86_400_000;
/**
 * The longest appointment: a session, a course or a retreat, not a subscription. The follow-up
 * goes out after the end, so an end years ahead scheduled a message years ahead (and one past
 * the year 9999 was a database error, a 500).
 */
export const APPOINTMENT_MAX_LENGTH_MS = 31 * 86_400_000;

const blankToNull = (v: string | null | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

export function normalizeAppointmentFields(
  input: AppointmentFieldsInput,
  settings: Pick<AdvisorSettings, 'defaultCountry' | 'timezone'>,
  now: Date,
): AppointmentFields {
  const problems: { field: string; message: string }[] = [];
  const clientName = input.clientName.trim();
  if (!clientName) problems.push({ field: 'clientName', message: 'is required' });
  const timezone = canonicalTimeZone(input.timezone?.trim() || settings.timezone);
  if (!timezone) {
    problems.push({ field: 'timezone', message: 'must be an IANA time zone, e.g. Europe/Madrid' });
  }
  if (Number.isNaN(input.startsAt.getTime())) problems.push({ field: 'startsAt', message: 'is not a date' });
  else if (input.startsAt.getTime() - now.getTime() > APPOINTMENT_MAX_AHEAD_MS) {
    problems.push({ field: 'startsAt', message: 'must be within 365 days' });
  }
  const endsAt = input.endsAt ?? null;
  if (endsAt && !(endsAt.getTime() > input.startsAt.getTime())) {
    problems.push({ field: 'endsAt', message: 'must be after startsAt' });
  } else if (endsAt && endsAt.getTime() - input.startsAt.getTime() > APPOINTMENT_MAX_LENGTH_MS) {
    problems.push({ field: 'endsAt', message: 'must be within 31 days of startsAt' });
  }
  if (problems.length > 0) {
    throw new AppError('validation_failed', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
      fields: problems,
    });
  }
  const phone = normalizePhone(input.clientPhone, settings.defaultCountry as never);
  if (!phone.ok) {
    throw new AppError('invalid_phone', phone.message, {
      field: 'clientPhone',
      reason: phone.reason,
      defaultCountry: settings.defaultCountry,
    });
  }
  return {
    clientName,
    clientPhone: phone.e164,
    startsAt: input.startsAt,
    endsAt,
    timezone: timezone!, // checked above: a null zone is a problem, and problems throw
    address: blankToNull(input.address),
    notes: blankToNull(input.notes),
  };
}

export function fieldsOf(row: AppointmentRow): AppointmentFields {
  return {
    clientName: row.clientName,
    clientPhone: row.clientPhone,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    timezone: row.timezone,
    address: row.address,
    notes: row.notes,
  };
}

/**
 * A change that gives a new start and says nothing of the end moves the end along, so the
 * appointment keeps its length, as a calendar moves an event. The end used to stay where it was:
 * moving a 10:00–11:00 session to the next day was 422 "endsAt must be after startsAt", and moving
 * it earlier made it longer and left its follow-up at the old time. An end given (or null) wins.
 */
export function withEndMovedAlong<T extends Partial<AppointmentFieldsInput>>(
  stored: Pick<AppointmentFields, 'startsAt' | 'endsAt'>,
  changes: T,
): T {
  const start = changes.startsAt;
  if (!start || changes.endsAt !== undefined || !stored.endsAt || Number.isNaN(start.getTime())) {
    return changes;
  }
  const length = stored.endsAt.getTime() - stored.startsAt.getTime();
  return { ...changes, endsAt: new Date(start.getTime() + length) };
}

const same = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/** The fields whose values differ, in a stable order. */
export function differingFields(a: AppointmentFields, b: AppointmentFields): AppointmentField[] {
  const keys: AppointmentField[] = [
    'clientName',
    'clientPhone',
    'startsAt',
    'endsAt',
    'timezone',
    'address',
    'notes',
  ];
  return keys.filter((k) => !same(a[k], b[k]));
}

/**
 * The fields in which a repeated booking differs from the stored appointment. What the repeat
 * leaves to the advisor's defaults (no time zone, a phone number without its country code) is
 * read as it was at booking: a retry of the same request stays the same request after the advisor
 * changed their time zone or default country.
 */
export function repeatDifferences(
  stored: AppointmentFields,
  input: AppointmentFieldsInput,
  fields: AppointmentFields,
): AppointmentField[] {
  return differingFields(stored, fields).filter((field) => {
    if (field === 'timezone') return Boolean(input.timezone?.trim());
    if (field === 'clientPhone') return !sameNumber(stored.clientPhone, input.clientPhone);
    return true;
  });
}

/**
 * A repeated booking's input, its phone number replaced by the stored one when it reads as that
 * number in the number's own country (as repeatDifferences compares it): validated again in the
 * advisor's current country, the national number of a booking that worked could be no number at
 * all (nine Spanish digits in the United States), and the retry was a 422 `invalid_phone`.
 */
export function asBooked<T extends AppointmentFieldsInput>(stored: AppointmentFields, input: T): T {
  return sameNumber(stored.clientPhone, input.clientPhone)
    ? { ...input, clientPhone: stored.clientPhone }
    : input;
}

/** Whether `input` reads as the stored E.164 number in that number's own country. */
function sameNumber(storedE164: string, input: string): boolean {
  const stored = normalizePhone(storedE164, undefined);
  if (!stored.ok) return false;
  const read = normalizePhone(input, stored.country);
  return read.ok && read.e164 === storedE164;
}
