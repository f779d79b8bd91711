// Shapes of instance data as the gateway returns it: the raw Prisma `Instance` row of fetchInstances
// (reference §3.4) and the summary of the create response (§3.1).
import type { Instance } from '../core/instance.js';

export function instanceRow(instance: Instance): Record<string, unknown> {
  return {
    id: instance.id,
    name: instance.name,
    connectionStatus: instance.state,
    ownerJid: instance.wuid,
    profileName: instance.profileName,
    profilePicUrl: instance.profilePictureUrl,
    integration: instance.integration,
    number: instance.pairingNumber,
    businessId: null,
    token: instance.token,
    clientName: 'evolution_exchange',
    disconnectionReasonCode: instance.disconnection?.code ?? null,
    disconnectionObject: instance.disconnection?.object ?? null,
    disconnectionAt: instance.disconnection?.at ?? null,
    createdAt: instance.createdAt,
    updatedAt: instance.updatedAt,
    Chatwoot: null,
    Proxy: null,
    Rabbitmq: null,
    Nats: null,
    Sqs: null,
    Websocket: null,
    Setting: {
      id: `${instance.id.slice(0, 8)}-setting`,
      ...instance.settings,
      createdAt: instance.createdAt,
      updatedAt: instance.updatedAt,
      instanceId: instance.id,
    },
    _count: {
      Message: instance.messages.size,
      Contact: instance.contacts.size,
      Chat: instance.contacts.size,
    },
  };
}
