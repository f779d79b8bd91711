// Picks an image or document to send; it is read to base64 in the browser (media.base64).
import { useEffect, useId, useRef } from 'react';
import { Icon } from '../../components/Icon';
import { useI18n } from '../../i18n/i18n-context';

/** The server's default (MEDIA_MAX_BYTES), until its configuration says what it takes. */
export const DEFAULT_MEDIA_MAX_BYTES = 16 * 1024 * 1024;
const ACCEPT = 'image/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt,audio/*,video/*';

export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(v)} ${units[i]}`;
}

export function MediaField({
  file,
  onChange,
  error,
  maxBytes,
}: {
  file: File | null;
  maxBytes: number;
  onChange: (file: File | null) => void;
  error: string | null;
}) {
  const { t, locale } = useI18n();
  const id = useId();
  // The input keeps the file it was given (it is not controlled): a form that lets go of its file
  // (sent, so cleared) empties it too, or it would still show a file the form will not send, and
  // picking that same file again would change nothing the browser reports.
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (file === null && input.current) input.current.value = '';
  }, [file]);
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{t('send.file')}</label>
      <div className="file-row">
        <input
          ref={input}
          id={id}
          type="file"
          accept={ACCEPT}
          onChange={(e) => onChange(e.target.files?.[0] ?? null)}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
        />
        {file && (
          <span className="file-chip">
            <Icon name="paperclip" size={16} /> {file.name} · {formatBytes(file.size, locale)}
          </span>
        )}
      </div>
      <p id={`${id}-hint`} className="field-hint">
        {t('send.fileHint', { max: formatBytes(maxBytes, locale) })}
      </p>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
