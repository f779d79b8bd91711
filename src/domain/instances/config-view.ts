// The GET /api/whatsapp/config shape (API.md), built from a row. Credentials never leave here.
import type { ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import type { DomainContext } from '../context.js';
import { readSettings } from './advisor-settings.js';
import { publicButtonState } from '../public-cta/public-button-state.js';
import { effectiveFeatures } from './features.js';

export type ConnectionStatus = 'not_configured' | 'qr_pending' | 'connecting' | 'connected' | 'disconnected';

export function configView(
  ctx: Pick<DomainContext, 'bounds' | 'featureDefaults' | 'sandbox'> & {
    config: { limits: { mediaBytes: number } };
  },
  row: ConfigRow,
) {
  const settings = readSettings(row.settings, ctx.bounds);
  const features = effectiveFeatures(ctx.featureDefaults, row.features);
  const qrLive = row.status === 'qr_pending' && row.qrCode && row.qrExpiresAt && row.qrExpiresAt > new Date();
  return {
    status: row.status as ConnectionStatus,
    instanceName: row.instanceName,
    publicSlug: row.publicSlug,
    phoneNumber: row.phoneNumber,
    profileName: row.profileName,
    connectedAt: row.connectedAt,
    lastStatusAt: row.lastStatusAt,
    alert: row.alert,
    sandbox: ctx.sandbox,
    qr: qrLive ? { image: row.qrCode!, pairingCode: row.qrPairingCode, expiresAt: row.qrExpiresAt! } : null,
    settings,
    features,
    publicButton: publicButtonState({ phoneNumber: row.phoneNumber, features, settings }),
    // The server's limits a sender must know before it sends: the dashboard checks a file's size
    // against MEDIA_MAX_BYTES instead of a copy of its default.
    limits: { mediaMaxBytes: ctx.config.limits.mediaBytes },
  };
}

export type ConfigView = ReturnType<typeof configView>;
