import type { NumberType } from 'libphonenumber-js/max';

/** libphonenumber's number types in the snake_case the API speaks. */
export type PhoneNumberType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'voip'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

export function toPhoneNumberType(type: NumberType): PhoneNumberType {
  return type === undefined ? 'unknown' : (type.toLowerCase() as Lowercase<NonNullable<NumberType>>);
}
