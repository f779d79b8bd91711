// The token-free view of an instance for GET /_emulator/instances. Webhook header values are left out because
// they hold secrets (jwt_key) and the control API may be reachable through the product in sandbox mode.
import type { Instance } from '../core/instance.js';

export function instanceSummary(instance: Instance): Record<string, unknown> {
  const webhook = instance.webhook;
  return {
    name: instance.name,
    instanceId: instance.id,
    integration: instance.integration,
    state: instance.state,
    qrCount: instance.qr.count,
    wuid: instance.wuid,
    profileName: instance.profileName,
    createdAt: instance.createdAt,
    webhook: webhook
      ? {
          url: webhook.url,
          enabled: webhook.enabled,
          events: webhook.events,
          byEvents: webhook.webhookByEvents,
          base64: webhook.webhookBase64,
          headerNames: Object.keys(webhook.headers ?? {}),
        }
      : null,
    counts: {
      sent: instance.sent.length,
      messages: instance.messages.size,
      statusUpdates: instance.statusRows.length,
      webhookAttempts: instance.webhookLog.length,
    },
  };
}
