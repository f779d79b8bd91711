// The recipient, checked as the advisor types: what number it will become with the default
// country, or what looks wrong. The server has the last word (invalid_phone, opted out).
import { Field } from '../../components/Field';
import { useI18n } from '../../i18n/i18n-context';
import { checkPhoneInput, displayPhone, examplePhone } from '../../lib/phone-input';

function countryName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

interface RecipientFieldProps {
  value: string;
  onChange: (value: string) => void;
  defaultCountry: string;
  serverError: string | null;
  showEmpty: boolean;
  label?: string;
}

export function RecipientField({
  value,
  onChange,
  defaultCountry,
  serverError,
  showEmpty,
  label,
}: RecipientFieldProps) {
  const { t, locale } = useI18n();
  const country = countryName(defaultCountry, locale);
  const check = checkPhoneInput(value, defaultCountry);
  let error = serverError;
  let hint: string = t('send.toHint', { country });
  if (!error && check.state === 'invalid') error = t(`send.phone.${check.reason}`, { country });
  if (!error && check.state === 'empty' && showEmpty) error = t('send.toRequired');
  if (check.state === 'ok') hint = t('send.willSendTo', { phone: displayPhone(check.e164) });
  return (
    <Field
      label={label ?? t('send.to')}
      hint={<span data-testid="recipient-hint">{hint}</span>}
      error={error}
    >
      {(ids) => (
        <input
          {...ids}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          inputMode="tel"
          autoComplete="tel"
          placeholder={examplePhone(defaultCountry, 'national') ?? undefined}
          data-testid="recipient"
        />
      )}
    </Field>
  );
}
