// A per-field problem from a 400/422 (`details.fields: [{ field, message }]`) in the advisor's
// language. The API gives no code per field, so the field path says which rule it is, and the
// bound the server's sentence names ("at most 200", zod's "<=200") is kept: it is the server's
// configured limit. What we cannot place is shown as the server wrote it.
import type { MessageKey } from '../i18n/es';
import type { Translate } from '../i18n/i18n-context';

interface Problem {
  tooBig: boolean;
  tooSmall: boolean;
  notWhole: boolean;
  /** The number in "at most N" / "<=N", or in "at least N" / ">=N". */
  bound: number | null;
  isText: boolean;
}

function read(message: string): Problem {
  const tooBig = /too big|at most|<=/i.test(message);
  const tooSmall = /too small|at least|>=/i.test(message);
  const bound = message.match(tooBig ? /(?:at most|<=)\s*(\d+)/i : /(?:at least|>=)\s*(\d+)/i)?.[1];
  return {
    tooBig,
    tooSmall,
    notWhole: /expected int/i.test(message),
    bound: bound === undefined ? null : Number(bound),
    isText: /string|character/i.test(message),
  };
}

/** Settings fields whose only rule is "one of the list" (the form offers only valid values). */
const CHOICES: Record<string, MessageKey> = {
  defaultCountry: 'fieldErr.country',
  timezone: 'fieldErr.timezone',
  locale: 'fieldErr.locale',
  'rateLimit.durationMs': 'fieldErr.choice',
  lateReminder: 'fieldErr.choice',
  category: 'fieldErr.choice',
  language: 'fieldErr.choice',
};

/**
 * `field` is the path without its `body.` / `settings.` prefix (`rateLimit.max`, `quietHours.start`,
 * `name`); `message` is the server's sentence, the fallback.
 */
export function fieldErrorText(field: string, message: string, t: Translate): string {
  const p = read(message);
  const choice = CHOICES[field];
  if (choice) return t(choice);
  if (field.startsWith('quietHours')) return t('fieldErr.time');
  if (p.notWhole) return t('fieldErr.wholeNumber');
  // The link's QR code (src/domain/public-cta/cta-qr-code.ts): a limit of the encoded link, not a count.
  if (field === 'ctaMessage' && /QR code/i.test(message)) return t('fieldErr.ctaQrTooLong');
  if (field === 'rateLimit.max') {
    if (p.tooBig && p.bound !== null) return t('fieldErr.rateMaxTooBig', { max: p.bound });
    if (p.tooSmall) return t('fieldErr.rateMaxTooSmall');
  }
  // Fixed limits (docs/API-EXTENSIONS.md): 14 days before, 30 days after.
  if (field === 'reminderOffsetMinutes' && p.tooBig) return t('fieldErr.reminderMax');
  if (field === 'followUpDelayMinutes' && p.tooBig) return t('fieldErr.followUpMax');
  if (field === 'reminderOffsetMinutes' && p.tooSmall) return t('fieldErr.reminderMin');
  if (field === 'followUpDelayMinutes' && p.tooSmall) return t('fieldErr.negative');
  if (p.isText && p.tooSmall) return t('fieldErr.empty');
  if (p.isText && p.tooBig && p.bound !== null) return t('fieldErr.tooLong', { max: p.bound });
  if (p.tooBig && p.bound !== null) return t('fieldErr.atMost', { max: p.bound });
  if (p.tooSmall && p.bound !== null) return t('fieldErr.atLeast', { min: p.bound });
  return message;
}
