// "Link with phone number instead": for an advisor who cannot scan the QR (one phone only, broken
// camera), connect with their number so WhatsApp gives an 8-character pairing code to type in
// the app. The number is checked as typed, like the Send recipient; the server has the last word.
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useI18n } from '../../i18n/i18n-context';
import { api, ApiError } from '../../lib/api-client';
import type { ConnectResult } from '../../lib/api-types';
import { checkPhoneInput, displayPhone, examplePhone } from '../../lib/phone-input';

export function PhoneLinkForm({
  defaultCountry,
  onConnected,
  besideQr = false,
}: {
  defaultCountry: string;
  onConnected: (result: ConnectResult) => void;
  /** Offered next to a QR on show: asking for a code ends that QR (the server starts over). */
  besideQr?: boolean;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!open) {
    return (
      <button type="button" className="btn btn-ghost btn-wrap" onClick={() => setOpen(true)}>
        {t('wa.phoneLinkOpen')}
      </button>
    );
  }

  const check = checkPhoneInput(value, defaultCountry);
  let fieldError: string | null = null;
  if (check.state === 'invalid') fieldError = t(`send.phone.${check.reason}`);
  else if (check.state === 'empty' && submitted) fieldError = t('wa.phoneLinkRequired');
  else if (error instanceof ApiError && error.status === 400) fieldError = t('send.phoneInvalid');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (check.state !== 'ok') return;
    setBusy(true);
    setError(null);
    try {
      onConnected(await api.post<ConnectResult>('/api/whatsapp/connect', { phoneNumber: check.e164 }));
      // The code now shows in the QR panel; the form folds away (asked again, it can change the number).
      setOpen(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="phone-link" onSubmit={submit} noValidate data-testid="phone-link-form">
      <p className="muted">{t('wa.phoneLinkIntro')}</p>
      {besideQr && <p className="muted">{t('wa.phoneLinkReplacesQr')}</p>}
      <div className="inline-form">
        <Field
          label={t('wa.phoneLinkLabel')}
          hint={
            check.state === 'ok'
              ? t('wa.phoneLinkWillUse', { phone: displayPhone(check.e164) })
              : t('wa.phoneLinkHint')
          }
          error={fieldError}
        >
          {(ids) => (
            <input
              {...ids}
              value={value}
              onChange={(e) => {
                setValue(e.target.value);
                setError(null);
              }}
              inputMode="tel"
              autoComplete="tel"
              placeholder={examplePhone(defaultCountry, 'international') ?? undefined}
            />
          )}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.working') : t('wa.phoneLinkSubmit')}
        </button>
      </div>
      {error !== null && !(error instanceof ApiError && error.status === 400) && (
        <ErrorNotice error={error} />
      )}
    </form>
  );
}
