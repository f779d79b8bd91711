// How the message will look on the client's phone: a chat bubble, with variables that still
// lack a value highlighted.
import { Fragment } from 'react';
import { useI18n } from '../i18n/i18n-context';

export function MessagePreview({ text, missing = [] }: { text: string; missing?: string[] }) {
  const { t } = useI18n();
  const pieces = text.split(/(\{[a-z][a-z0-9_]*\})/g);
  return (
    <div className="phone-preview" aria-label={t('tpl.preview')} role="group">
      <div className="bubble bubble-out" data-testid="message-preview">
        {text.trim() ? (
          pieces.map((piece, i) => {
            const name = /^\{([a-z][a-z0-9_]*)\}$/.exec(piece)?.[1];
            return name && missing.includes(name) ? (
              <mark key={i} className="var-missing">
                {piece}
              </mark>
            ) : (
              <Fragment key={i}>{piece}</Fragment>
            );
          })
        ) : (
          <span className="muted">{t('tpl.previewEmpty')}</span>
        )}
      </div>
    </div>
  );
}
