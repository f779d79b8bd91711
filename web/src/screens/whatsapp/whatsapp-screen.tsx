// Connecting the advisor's WhatsApp Business number: status, QR (live over SSE), the connected
// number, disconnect and remove, alerts when the phone logged out, and the sandbox helpers.
import { useEffect, useState } from 'react';
import { PageHeader } from '../../components/AppShell';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { LoadingState } from '../../components/LoadingState';
import { StatusBadge } from '../../components/StatusBadge';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { api } from '../../lib/api-client';
import type { ConnectResult, StatusEvent, WhatsappConfig } from '../../lib/api-types';
import { useDates } from '../../lib/advisor-zone';
import { useLiveEvent } from '../../lib/live-events';
import { displayPhone } from '../../lib/phone-input';
import { useResource } from '../../lib/use-resource';
import { AlertBanner } from './alert-banner';
import { PhoneLinkForm } from './phone-link-form';
import { PublicButtonPanel } from './public-button-panel';
import { QrPanel } from './qr-panel';
import { SandboxPanel } from './sandbox-panel';
import { useConnectionRefresh } from './use-connection-refresh';

type Connection = Pick<StatusEvent, 'status' | 'qr' | 'phoneNumber' | 'profileName' | 'alert'>;

export function WhatsappScreen() {
  const { t } = useI18n();
  const dates = useDates();
  const toast = useToast();
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const [conn, setConn] = useState<Connection | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState<'disconnect' | 'remove' | null>(null);
  useConnectionRefresh(config.reload);

  useEffect(() => {
    if (!config.data) return;
    const c = config.data;
    setConn((prev) => ({
      status: c.status,
      qr: c.qr ?? (c.status === 'qr_pending' ? prev?.qr : null),
      phoneNumber: c.phoneNumber,
      profileName: c.profileName ?? prev?.profileName ?? null,
      alert: c.alert ?? null,
    }));
  }, [config.data]);

  useLiveEvent('status', (event) => {
    setConn((prev) => ({
      status: event.status,
      qr: event.qr ?? (event.status === 'qr_pending' ? prev?.qr : null),
      phoneNumber: event.phoneNumber ?? prev?.phoneNumber ?? null,
      profileName: event.profileName ?? prev?.profileName ?? null,
      alert: event.alert !== undefined ? event.alert : prev?.alert,
    }));
    // Only a change seen here is news: every new event stream starts with the current status, and
    // on a fresh load it can arrive before the screen's own read (conn still null) while the
    // number has been linked for days.
    if (event.status === 'connected' && conn !== null && conn.status !== 'connected')
      toast(t('wa.nowConnected'));
    // Always reload: a reload restarts (aborts) any config request still in flight, which may
    // have been read before this event and would otherwise overwrite it when it lands late
    // (an alert raised just after a connect vanished that way).
    config.reload();
  });

  const connect = async () => {
    setConnecting(true);
    setActionError(null);
    try {
      const result = await api.post<ConnectResult>('/api/whatsapp/connect', {});
      setConn((prev) => ({ ...prev, status: result.status, qr: result.qr ?? null, alert: null }));
      config.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setConnecting(false);
    }
  };

  const linkedByPhone = (result: ConnectResult) => {
    setConn((prev) => ({ ...prev, status: result.status, qr: result.qr ?? null, alert: null }));
    config.reload();
  };

  if (config.loading && !config.data) return <LoadingState />;
  if (config.error && !config.data) {
    return (
      <>
        <PageHeader title={t('wa.title')} />
        <ErrorNotice error={config.error} onRetry={config.reload} />
      </>
    );
  }
  const c = config.data;
  if (!c || !conn) return <LoadingState />;
  const status = conn.status;
  const canConnect = status === 'not_configured' || status === 'disconnected';

  return (
    <>
      <PageHeader title={t('wa.title')} intro={t('wa.intro')} />
      {c.sandbox && (
        <div className="banner banner-sandbox" role="note">
          <strong>{t('sandbox.banner')}</strong> {t('sandbox.bannerText')}
        </div>
      )}
      {conn.alert && (
        <AlertBanner
          alert={conn.alert}
          onResumed={() => {
            setConn((prev) => (prev ? { ...prev, alert: null } : prev));
            toast(t('alert.resumed'));
            config.reload();
          }}
        />
      )}

      <section className="card" aria-labelledby="connection-title">
        <div className="card-head">
          <h2 id="connection-title">{t('wa.connection')}</h2>
          <span data-testid="connection-status">
            <StatusBadge status={status} />
          </span>
        </div>

        {status === 'connected' && (
          <dl className="facts">
            <div>
              <dt>{t('wa.number')}</dt>
              <dd data-testid="connected-phone">{conn.phoneNumber ? displayPhone(conn.phoneNumber) : '—'}</dd>
            </div>
            <div>
              <dt>{t('wa.profile')}</dt>
              <dd>{conn.profileName ?? '—'}</dd>
            </div>
            <div>
              <dt>{t('wa.since')}</dt>
              <dd>{dates.dateTime(c.connectedAt)}</dd>
            </div>
          </dl>
        )}

        {canConnect && (
          <div className="connect-cta">
            <p>{status === 'disconnected' ? t('wa.disconnectedText') : t('wa.notConfiguredText')}</p>
            <button
              type="button"
              className="btn btn-whatsapp btn-large"
              onClick={connect}
              disabled={connecting}
            >
              <Icon name="whatsapp" /> {connecting ? t('common.working') : t('wa.connect')}
            </button>
            <PhoneLinkForm defaultCountry={c.settings.defaultCountry} onConnected={linkedByPhone} />
          </div>
        )}

        {status === 'qr_pending' && conn.qr && (
          <QrPanel qr={conn.qr} onRefresh={connect} refreshing={connecting}>
            {/* Cannot scan (the dashboard is on the phone that runs WhatsApp Business, a broken
                camera): switch to a pairing code without removing the connection. */}
            <PhoneLinkForm defaultCountry={c.settings.defaultCountry} onConnected={linkedByPhone} besideQr />
          </QrPanel>
        )}
        {status === 'qr_pending' && !conn.qr && (
          <div className="connect-cta">
            <p>{t('wa.qrMissing')}</p>
            <button type="button" className="btn btn-primary" onClick={connect} disabled={connecting}>
              {connecting ? t('common.working') : t('wa.qrShow')}
            </button>
          </div>
        )}
        {status === 'connecting' && <LoadingState label={t('wa.connectingText')} />}

        {actionError !== null && <ErrorNotice error={actionError} />}

        {status !== 'not_configured' && (
          <div className="card-actions">
            {status === 'connected' && (
              <button type="button" className="btn btn-secondary" onClick={() => setConfirm('disconnect')}>
                {t('wa.disconnect')}
              </button>
            )}
            <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirm('remove')}>
              {t('wa.remove')}
            </button>
          </div>
        )}
      </section>

      {c.publicSlug && (
        // Remounted when what the public answer depends on changes, so it is asked again.
        <PublicButtonPanel
          key={`${c.phoneNumber}|${c.publicButton.hiddenReason}|${c.settings.ctaMessage}`}
          config={c}
          slug={c.publicSlug}
        />
      )}

      {c.sandbox && (
        <SandboxPanel
          instanceName={c.instanceName}
          status={status}
          defaultCountry={c.settings.defaultCountry}
        />
      )}

      <ConfirmDialog
        open={confirm === 'disconnect'}
        title={t('wa.disconnectTitle')}
        confirmLabel={t('wa.disconnect')}
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          const result = await api.post<{ status: WhatsappConfig['status'] }>('/api/whatsapp/disconnect', {});
          setConn((prev) => ({ ...prev, status: result.status, qr: null }));
          config.reload();
        }}
      >
        <p>{t('wa.disconnectText')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'remove'}
        title={t('wa.removeTitle')}
        confirmLabel={t('wa.remove')}
        danger
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await api.delete('/api/whatsapp/config');
          setConn({ status: 'not_configured', qr: null, phoneNumber: null, profileName: null, alert: null });
          config.reload();
        }}
      >
        <p>{t('wa.removeText')}</p>
      </ConfirmDialog>
    </>
  );
}
