// Sandbox only: buttons that play the phone's part through the emulator's control API, so the
// advisor (or a demo) can try the whole flow without a real WhatsApp account.
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { api, enc } from '../../lib/api-client';
import type { ConnectionStatus } from '../../lib/api-types';
import { checkPhoneInput, examplePhone } from '../../lib/phone-input';
import { useSession } from '../../lib/session-context';

interface SandboxPanelProps {
  instanceName: string | null;
  status: ConnectionStatus;
  defaultCountry: string;
}

export function SandboxPanel({ instanceName, status, defaultCountry }: SandboxPanelProps) {
  const { t } = useI18n();
  const toast = useToast();
  const { user } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'scan' | 'inbound' | null>(null);
  const [from, setFrom] = useState(() => examplePhone(defaultCountry, 'international') ?? '');
  const [pushName, setPushName] = useState('Lucía');
  const [text, setText] = useState('');
  const [fromError, setFromError] = useState<string | null>(null);
  const base = instanceName ? `/_emulator/instances/${enc(instanceName)}` : null;

  const run = async (kind: 'scan' | 'inbound', action: () => Promise<void>) => {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const scan = () =>
    run('scan', async () => {
      if (!base) return;
      await api.post(`${base}/scan`, { profileName: user?.name ?? undefined });
      toast(t('sandbox.scanned'));
    });

  const inbound = (event: FormEvent) => {
    event.preventDefault();
    const phone = checkPhoneInput(from, defaultCountry);
    if (phone.state !== 'ok') {
      setFromError(t('send.phoneInvalid'));
      return;
    }
    setFromError(null);
    void run('inbound', async () => {
      if (!base) return;
      await api.post(`${base}/inbound`, {
        from: phone.e164,
        pushName: pushName.trim() || undefined,
        text: text.trim() || t('sandbox.defaultText'),
      });
      setText('');
      toast(t('sandbox.inboundSent'));
    });
  };

  return (
    <section className="card card-sandbox" aria-labelledby="sandbox-title">
      <h2 id="sandbox-title">{t('sandbox.title')}</h2>
      <p className="muted">{t('sandbox.intro')}</p>
      <div className="row-wrap">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={scan}
          disabled={!base || status !== 'qr_pending' || busy !== null}
        >
          {busy === 'scan' ? t('common.working') : t('sandbox.scan')}
        </button>
        {status !== 'qr_pending' && <span className="field-hint">{t('sandbox.scanHint')}</span>}
      </div>
      <form className="sandbox-inbound" onSubmit={inbound} noValidate>
        <h3>{t('sandbox.inboundTitle')}</h3>
        <div className="grid-2">
          <Field label={t('sandbox.from')} error={fromError}>
            {(ids) => (
              <input {...ids} value={from} onChange={(e) => setFrom(e.target.value)} inputMode="tel" />
            )}
          </Field>
          <Field label={t('sandbox.pushName')}>
            {(ids) => <input {...ids} value={pushName} onChange={(e) => setPushName(e.target.value)} />}
          </Field>
        </div>
        <Field label={t('sandbox.text')}>
          {(ids) => (
            <input
              {...ids}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder={t('sandbox.defaultText')}
            />
          )}
        </Field>
        <button
          type="submit"
          className="btn btn-secondary"
          disabled={!base || status !== 'connected' || busy !== null}
        >
          {busy === 'inbound' ? t('common.working') : t('sandbox.inbound')}
        </button>
        {status !== 'connected' && <p className="field-hint">{t('sandbox.inboundHint')}</p>}
      </form>
      {error !== null && <ErrorNotice error={error} />}
    </section>
  );
}
