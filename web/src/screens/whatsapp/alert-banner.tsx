// Why the connection needs attention, in the advisor's words (config/SSE `alert`).
import type { MessageKey } from '../../i18n/es';
import { useI18n } from '../../i18n/i18n-context';
import { Icon } from '../../components/Icon';

const ALERTS: Record<string, MessageKey> = {
  logged_out: 'alert.logged_out',
  qr_limit_reached: 'alert.qr_limit_reached',
  connection_lost: 'alert.connection_lost',
  banned: 'alert.banned',
};

export function AlertBanner({ alert }: { alert: string }) {
  const { t } = useI18n();
  return (
    <div className="banner banner-alert" role="alert" data-alert={alert}>
      <Icon name="alert" />
      <p>{t(ALERTS[alert] ?? 'alert.generic')}</p>
    </div>
  );
}
