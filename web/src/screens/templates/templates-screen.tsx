// The advisor's message templates: built-ins (confirmation, reminder, follow-up…) and their own,
// with how often each is used.
import { useState } from 'react';
import { PageHeader } from '../../components/AppShell';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Link } from '../../components/Link';
import { LoadingState } from '../../components/LoadingState';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { api, enc } from '../../lib/api-client';
import type { Template, WhatsappConfig } from '../../lib/api-types';
import { itemsOf } from '../../lib/list-items';
import {
  initialTemplateLanguage,
  TEMPLATE_LANGUAGES,
  type TemplateLanguage,
} from '../../lib/template-language';
import { useResource } from '../../lib/use-resource';
import { deleteWording } from './delete-wording';

type LangFilter = 'all' | TemplateLanguage;
const FILTERS: readonly LangFilter[] = ['all', ...TEMPLATE_LANGUAGES];

export function TemplatesScreen() {
  const { t, lang } = useI18n();
  const toast = useToast();
  const list = useResource<Template[] | { items: Template[] }>('/api/whatsapp/templates');
  // Until the advisor picks one, the filter is the dashboard's language when the screen opened
  // (switching the dashboard's language later leaves it alone), or Portuguese once the settings
  // say so: a Brazilian advisor sees the templates their clients get, not the dashboard's Spanish.
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const [openedIn] = useState(lang);
  const [chosen, setFilter] = useState<LangFilter | null>(null);
  const filter = chosen ?? initialTemplateLanguage(openedIn, config.data?.settings.locale);
  const [deleting, setDeleting] = useState<Template | null>(null);
  const templates = itemsOf(list.data).filter((tpl) => filter === 'all' || tpl.language === filter);

  return (
    <>
      <PageHeader
        title={t('tpl.title')}
        intro={t('tpl.intro')}
        actions={
          <Link href="/templates/new" className="btn btn-primary">
            {t('tpl.new')}
          </Link>
        }
      />
      <div className="segmented template-filter" role="group" aria-label={t('tpl.language')}>
        {FILTERS.map((f) => (
          <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
            {t(`tpl.filter.${f}`)}
          </button>
        ))}
      </div>
      {list.loading && !list.data ? (
        <LoadingState />
      ) : list.error ? (
        <ErrorNotice error={list.error} onRetry={list.reload} />
      ) : templates.length === 0 ? (
        <EmptyState icon="template" title={t('tpl.empty')}>
          {t('tpl.emptyText')}
        </EmptyState>
      ) : (
        <ul className="template-grid">
          {templates.map((tpl) => (
            <li key={tpl.id} className="card template-card" data-testid="template-card">
              <div className="template-card-head">
                <h2>{tpl.name}</h2>
                <span className={`badge ${tpl.builtIn ? 'badge-muted' : 'badge-ok'}`}>
                  {tpl.builtIn ? t('tpl.builtIn') : t('tpl.own')}
                </span>
              </div>
              <p className="template-meta">
                <span className="chip">{t(`tpl.category.${tpl.category}`)}</span>
                <span className="chip">{tpl.language.toUpperCase()}</span>
                <span>
                  {tpl.usageCount === 1 ? t('tpl.usageOnce') : t('tpl.usage', { count: tpl.usageCount })}
                </span>
              </p>
              <p className="template-body">{tpl.body}</p>
              <div className="card-actions">
                <Link href={`/templates/${enc(tpl.id)}`} className="btn btn-secondary btn-small">
                  {tpl.builtIn ? t('tpl.customize') : t('common.edit')}
                </Link>
                {!tpl.builtIn && (
                  <button
                    type="button"
                    className="btn btn-danger-ghost btn-small"
                    onClick={() => setDeleting(tpl)}
                  >
                    {t(deleteWording(tpl).confirm)}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t(deleteWording(deleting).title)}
        confirmLabel={t(deleteWording(deleting).confirm)}
        danger
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.delete(`/api/whatsapp/templates/${enc(deleting.id)}`);
          list.reload();
          toast(t(deleteWording(deleting).done));
        }}
      >
        <p>{t(deleteWording(deleting).text, { name: deleting?.name ?? '' })}</p>
      </ConfirmDialog>
    </>
  );
}
