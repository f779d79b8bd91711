// The QR code to scan with WhatsApp Business, the pairing code for those who cannot scan (and the
// form to ask for one, given by the screen), and how long the code stays valid. New codes arrive by SSE; once expired the advisor can ask for one.
import type { ReactNode } from 'react';
import type { QrCode } from '../../lib/api-types';
import { useI18n } from '../../i18n/i18n-context';
import { useCountdown } from '../../lib/use-countdown';

export function QrPanel({
  qr,
  onRefresh,
  refreshing,
  children,
}: {
  qr: QrCode;
  onRefresh: () => void;
  refreshing: boolean;
  /** Below the steps: the way out for an advisor who cannot scan (the phone-number form). */
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const seconds = useCountdown(qr.expiresAt);
  const expired = seconds === 0;
  return (
    <div className="qr-panel">
      <div className={`qr-frame${expired ? ' qr-expired' : ''}`}>
        <img src={qr.image} alt={t('wa.qrAlt')} width={280} height={280} data-testid="qr-image" />
        {expired && (
          <div className="qr-overlay">
            <p>{t('wa.qrExpired')}</p>
            <button type="button" className="btn btn-primary" onClick={onRefresh} disabled={refreshing}>
              {refreshing ? t('common.working') : t('wa.qrNew')}
            </button>
          </div>
        )}
      </div>
      <div className="qr-help">
        {/* Asked for by phone number: the code is what the advisor came for, so it comes first. */}
        {qr.pairingCode && (
          <div className="pairing" role="status">
            <h3>{t('wa.pairingTitle')}</h3>
            <p>{t('wa.pairingSteps')}</p>
            <p className="pairing-code" data-testid="pairing-code">
              {qr.pairingCode}
            </p>
          </div>
        )}
        <h3>{t('wa.qrHowTitle')}</h3>
        <ol className="steps">
          <li>{t('wa.qrStep1')}</li>
          <li>{t('wa.qrStep2')}</li>
          <li>{t('wa.qrStep3')}</li>
          <li>{t('wa.qrStep4')}</li>
        </ol>
        {seconds !== null && !expired && (
          <p className="qr-countdown" aria-live="off" data-testid="qr-countdown">
            {t('wa.qrExpiresIn', {
              time: `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`,
            })}
          </p>
        )}
        {children}
      </div>
    </div>
  );
}
