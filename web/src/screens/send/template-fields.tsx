// Choosing a template to send and filling its variables, with the server's preview of the
// result (`missing` tells which ones still need a value).
import { useEffect, useState } from 'react';
import { Field } from '../../components/Field';
import { MessagePreview } from '../../components/MessagePreview';
import { useI18n } from '../../i18n/i18n-context';
import { api, enc } from '../../lib/api-client';
import type { Template, TemplatePreview } from '../../lib/api-types';
import { BUILTIN_VARIABLES, ownValue } from '../../lib/template-render';
import { useDebounced } from '../../lib/use-debounced';

const BUILTIN: ReadonlySet<string> = new Set(BUILTIN_VARIABLES);

interface TemplateFieldsProps {
  templates: Template[];
  templateId: string;
  onTemplate: (id: string) => void;
  values: Record<string, string>;
  onValues: (values: Record<string, string>) => void;
  errors: Record<string, string>;
}

export function TemplateFields({
  templates,
  templateId,
  onTemplate,
  values,
  onValues,
  errors,
}: TemplateFieldsProps) {
  const { t } = useI18n();
  const template = templates.find((x) => x.id === templateId) ?? null;
  const settled = useDebounced(values, 350);
  const [preview, setPreview] = useState<TemplatePreview | null>(null);

  useEffect(() => {
    if (!template) return setPreview(null);
    const controller = new AbortController();
    const variables = Object.fromEntries(
      Object.entries(settled).filter(([k, v]) => template.variables.includes(k) && v.trim()),
    );
    api
      .post<TemplatePreview>(
        `/api/whatsapp/templates/${enc(template.id)}/preview`,
        { variables },
        { signal: controller.signal },
      )
      .then(setPreview)
      .catch(() => setPreview(null));
    return () => controller.abort();
  }, [template, settled]);

  return (
    <div className="stack">
      <Field label={t('send.template')} error={errors.template}>
        {(ids) => (
          <select
            {...ids}
            value={templateId}
            onChange={(e) => onTemplate(e.target.value)}
            data-testid="template-select"
          >
            <option value="">{t('send.chooseTemplate')}</option>
            {templates.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>
                {tpl.name} ({tpl.language.toUpperCase()})
              </option>
            ))}
          </select>
        )}
      </Field>
      {template && template.variables.length > 0 && (
        <fieldset className="samples">
          <legend>{t('send.variables')}</legend>
          <div className="grid-2">
            {template.variables.map((name) => (
              <Field
                key={name}
                label={
                  BUILTIN.has(name) ? t(`var.${name as (typeof BUILTIN_VARIABLES)[number]}`) : `{${name}}`
                }
                error={errors[`variables.${name}`]}
              >
                {(ids) => (
                  <input
                    {...ids}
                    value={ownValue(values, name) ?? ''}
                    onChange={(e) => onValues({ ...values, [name]: e.target.value })}
                    data-variable={name}
                  />
                )}
              </Field>
            ))}
          </div>
        </fieldset>
      )}
      {template && (
        <MessagePreview
          text={preview?.text ?? template.body}
          missing={preview?.missing ?? template.variables.filter((v) => !ownValue(values, v)?.trim())}
        />
      )}
    </div>
  );
}
