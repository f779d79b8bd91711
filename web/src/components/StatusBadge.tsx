import type { ConnectionStatus } from '../lib/api-types';
import { useI18n } from '../i18n/i18n-context';

export function StatusBadge({ status }: { status: ConnectionStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-status badge-${status}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {t(`status.${status}`)}
    </span>
  );
}
