// API keys that let the booking module act for the advisor: create (shown once), list, revoke.
import { useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/AppShell';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { LoadingState } from '../../components/LoadingState';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { api, ApiError } from '../../lib/api-client';
import type { ApiKey, CreatedApiKey } from '../../lib/api-types';
import { useDates } from '../../lib/advisor-zone';
import { tooLong } from '../../lib/text-length';
import { useResource } from '../../lib/use-resource';

/**
 * The server's bound on a key's name (API_KEY_NAME_MAX_LENGTH), in characters as it counts them
 * (text-length.ts): the box cut a pasted name of 20 emoji, which the server takes, to 16.
 */
const NAME_MAX = 32;

export function IntegrationsScreen() {
  const { t } = useI18n();
  const dates = useDates();
  const toast = useToast();
  const keys = useResource<{ items: ApiKey[] }>('/api/api-keys');
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [createError, setCreateError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed || tooLong(trimmed, NAME_MAX)) {
      setNameError(t('keys.nameRule'));
      return;
    }
    setNameError(null);
    setBusy(true);
    setCreateError(null);
    try {
      const key = await api.post<CreatedApiKey>('/api/api-keys', { name: trimmed });
      setCreated(key);
      setName('');
      keys.reload();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      if (fields.name) setNameError(fields.name);
      else setCreateError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('keys.title')} intro={t('keys.intro')} />

      {created && (
        <section className="card card-highlight" aria-labelledby="new-key-title">
          <h2 id="new-key-title">{t('keys.createdTitle', { name: created.name ?? '' })}</h2>
          <p>{t('keys.createdOnce')}</p>
          <div className="secret-row">
            <code className="secret" data-testid="new-api-key">
              {created.key}
            </code>
            <CopyButton text={created.key} label={t('keys.copyKey')} className="btn btn-primary" />
          </div>
          <p className="field-hint">{t('keys.howToUse')}</p>
          <button type="button" className="btn btn-ghost" onClick={() => setCreated(null)}>
            {t('keys.savedIt')}
          </button>
        </section>
      )}

      <section className="card" aria-labelledby="create-key-title">
        <h2 id="create-key-title">{t('keys.createTitle')}</h2>
        <form className="inline-form" onSubmit={create} noValidate>
          <Field label={t('keys.name')} hint={t('keys.nameHint')} error={nameError}>
            {(ids) => (
              <input
                {...ids}
                value={name}
                onChange={(e) => {
                  setName(e.target.value);
                  // Said as soon as it is too long, since the box no longer stops the typing.
                  setNameError(tooLong(e.target.value, NAME_MAX) ? t('keys.nameRule') : null);
                }}
                placeholder={t('keys.namePlaceholder')}
              />
            )}
          </Field>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.working') : t('keys.create')}
          </button>
        </form>
        {createError !== null && <ErrorNotice error={createError} />}
      </section>

      <section className="card" aria-labelledby="keys-list-title">
        <h2 id="keys-list-title">{t('keys.listTitle')}</h2>
        {keys.loading && !keys.data ? (
          <LoadingState />
        ) : keys.error ? (
          <ErrorNotice error={keys.error} onRetry={keys.reload} />
        ) : !keys.data?.items.length ? (
          <EmptyState icon="key" title={t('keys.empty')}>
            {t('keys.emptyText')}
          </EmptyState>
        ) : (
          <table className="table table-cards">
            <thead>
              <tr>
                <th scope="col">{t('keys.name')}</th>
                <th scope="col">{t('keys.start')}</th>
                <th scope="col">{t('keys.created')}</th>
                <th scope="col">{t('keys.state')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id} data-testid="api-key-row">
                  <td data-label={t('keys.name')}>
                    <div>{key.name ?? '—'}</div>
                  </td>
                  <td data-label={t('keys.start')}>
                    <div>
                      <code>{key.start ? `${key.start}…` : '—'}</code>
                    </div>
                  </td>
                  <td data-label={t('keys.created')}>
                    <div>{dates.dateTime(key.createdAt)}</div>
                  </td>
                  <td data-label={t('keys.state')}>
                    <div>
                      <span className={`badge ${key.enabled ? 'badge-ok' : 'badge-muted'}`}>
                        {key.enabled ? t('keys.active') : t('keys.disabled')}
                      </span>
                    </div>
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-danger-ghost btn-small"
                      onClick={() => setRevoking(key)}
                      // Which key: a screen reader heard every row's button as just "Revocar".
                      aria-label={t('keys.revokeNamed', {
                        name: key.name ?? (key.start ? `${key.start}…` : '—'),
                      })}
                    >
                      {t('keys.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <ConfirmDialog
        open={revoking !== null}
        title={t('keys.revokeTitle')}
        confirmLabel={t('keys.revoke')}
        danger
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          try {
            await api.delete(`/api/api-keys/${encodeURIComponent(revoking.id)}`);
          } catch (err) {
            // 404: already revoked (in another tab, by another session): what was asked is done.
            if (!(err instanceof ApiError && err.status === 404)) throw err;
          }
          keys.setData((current) => current && { items: current.items.filter((k) => k.id !== revoking.id) });
          toast(t('keys.revoked'));
        }}
      >
        <p>{t('keys.revokeText', { name: revoking?.name ?? '' })}</p>
      </ConfirmDialog>
    </>
  );
}
