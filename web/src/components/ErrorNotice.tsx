import { useI18n } from '../i18n/i18n-context';
import { errorWords } from '../lib/error-text';
import { Icon } from './Icon';

/** `text`: the screen knows better what went wrong (in the advisor's words); no detail then. */
export function ErrorNotice({
  error,
  onRetry,
  text,
}: {
  error: unknown;
  onRetry?: () => void;
  text?: string;
}) {
  const { t } = useI18n();
  const words = text ? { text, detail: null } : errorWords(error, t);
  return (
    <div className="notice notice-error" role="alert">
      <Icon name="alert" className="notice-icon" />
      <div className="notice-body">
        <p>{words.text}</p>
        {words.detail && <p className="notice-detail">{words.detail}</p>}
      </div>
      {onRetry && (
        <button type="button" className="btn btn-ghost btn-small" onClick={onRetry}>
          <Icon name="refresh" size={16} /> {t('common.retry')}
        </button>
      )}
    </div>
  );
}
