// Buttons that insert `{variable}` at the cursor of the body textarea; custom templates may also
// add a variable of their own.
import { useState, type RefObject } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import { BUILTIN_VARIABLES } from '../../lib/template-render';

interface VariableChipsProps {
  textarea: RefObject<HTMLTextAreaElement | null>;
  value: string;
  onChange: (next: string) => void;
  allowCustom: boolean;
  /** Built-in variables this template cannot use (it is sent by the automation, which has no value). */
  exclude?: readonly string[];
}

export function insertAtCursor(
  area: HTMLTextAreaElement | null,
  value: string,
  token: string,
): { next: string; caret: number } {
  const start = area?.selectionStart ?? value.length;
  const end = area?.selectionEnd ?? value.length;
  return { next: value.slice(0, start) + token + value.slice(end), caret: start + token.length };
}

export function VariableChips({ textarea, value, onChange, allowCustom, exclude = [] }: VariableChipsProps) {
  const { t } = useI18n();
  const [custom, setCustom] = useState('');
  const [customError, setCustomError] = useState<string | null>(null);

  const insert = (name: string) => {
    const area = textarea.current;
    const { next, caret } = insertAtCursor(area, value, `{${name}}`);
    onChange(next);
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(caret, caret);
    });
  };

  const addCustom = () => {
    const name = custom.trim().toLowerCase().replace(/\s+/g, '_');
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(name)) {
      setCustomError(t('tpl.customVarRule'));
      return;
    }
    setCustomError(null);
    setCustom('');
    insert(name);
  };

  return (
    <div className="chips" role="group" aria-label={t('tpl.insertVariable')}>
      <span className="chips-label">{t('tpl.insertVariable')}</span>
      {BUILTIN_VARIABLES.filter((name) => !exclude.includes(name)).map((name) => (
        <button
          key={name}
          type="button"
          className="chip chip-button"
          onClick={() => insert(name)}
          title={t(`var.${name}`)}
        >
          {`{${name}}`}
        </button>
      ))}
      {allowCustom && (
        <span className="chip-custom">
          <label className="visually-hidden" htmlFor="custom-variable">
            {t('tpl.customVar')}
          </label>
          <input
            id="custom-variable"
            value={custom}
            placeholder={t('tpl.customVarPlaceholder')}
            onChange={(e) => setCustom(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addCustom();
              }
            }}
            aria-invalid={customError ? true : undefined}
            aria-describedby={customError ? 'custom-variable-error' : undefined}
          />
          <button type="button" className="btn btn-ghost btn-small" onClick={addCustom}>
            {t('tpl.customVarAdd')}
          </button>
          {customError && (
            <span id="custom-variable-error" className="field-error">
              {customError}
            </span>
          )}
        </span>
      )}
    </div>
  );
}
