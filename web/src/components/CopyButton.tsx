import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { copyText } from '../lib/clipboard';
import { Icon } from './Icon';

export function CopyButton({
  text,
  label,
  className = 'btn btn-secondary',
}: {
  text: string;
  label?: string;
  className?: string;
}) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2_500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className={className}
      onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}
    >
      <Icon name={state === 'copied' ? 'check' : 'copy'} size={16} />
      <span aria-live="polite">
        {state === 'copied'
          ? t('common.copied')
          : state === 'failed'
            ? t('common.copyFailed')
            : (label ?? t('common.copy'))}
      </span>
    </button>
  );
}
