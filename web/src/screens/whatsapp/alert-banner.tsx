// Why the connection needs attention, in the advisor's words (config/SSE `alert`). Sends paused
// after a burst of failures (account safety) come with the button that resumes them.
import { useState } from 'react';
import type { MessageKey } from '../../i18n/es';
import { useI18n } from '../../i18n/i18n-context';
import { Icon } from '../../components/Icon';
import { ErrorNotice } from '../../components/ErrorNotice';
import { api } from '../../lib/api-client';

// Every code the server sets (docs/API-EXTENSIONS.md, config `alert`); anything newer falls back
// to the generic text.
const ALERTS: Record<string, MessageKey> = {
  logged_out: 'alert.logged_out',
  forbidden: 'alert.forbidden',
  account_restricted: 'alert.account_restricted',
  account_banned: 'alert.account_banned',
  connection_closed: 'alert.connection_closed',
  qr_limit_reached: 'alert.qr_limit_reached',
  sending_paused: 'alert.sending_paused',
};

export function AlertBanner({ alert, onResumed }: { alert: string; onResumed?: () => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const resume = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/whatsapp/resume', {});
      onResumed?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="banner banner-alert" role="alert" data-alert={alert}>
      <Icon name="alert" />
      <p>{t(ALERTS[alert] ?? 'alert.generic')}</p>
      {alert === 'sending_paused' && (
        <button type="button" className="btn btn-secondary" onClick={resume} disabled={busy}>
          {busy ? t('common.working') : t('alert.resume')}
        </button>
      )}
      {error !== null && <ErrorNotice error={error} />}
    </div>
  );
}
