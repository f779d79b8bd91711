import type { z } from 'zod';
import { GatewayError } from './errors.js';
import { jidToE164, pickPhoneJid } from './jid.js';
import { mapEvolutionStatus, statusAfterSend } from './message-status.js';
import { parseMessageTimestamp } from './message-timestamp.js';
import {
  fetchInstancesResponseSchema,
  findStatusMessageResponseSchema,
  instanceStateResponseSchema,
  qrCodeResponseSchema,
  sendMessageResponseSchema,
  webhookRowSchema,
  whatsappNumbersResponseSchema,
} from './schemas.js';
import type {
  ConnectResult,
  InstanceInfo,
  NumberCheck,
  SendResult,
  StatusRecord,
  WebhookConfig,
} from './types.js';

/** Validates a 2xx body; a shape we do not know is a typed error, never an undefined later. */
export function parseResponse<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  operation: string,
): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  // Issue paths and messages only: bodies can hold tokens and webhook secrets.
  const issues = result.error.issues.slice(0, 5).map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }));
  throw new GatewayError({
    code: 'unexpected_response',
    message: `Unexpected response from Evolution API to ${operation}`,
    details: { operation, issues },
  });
}

/** The connect/restart answer: a state object when open, the current QR object otherwise. */
export function toConnectResult(body: unknown, operation: string): ConnectResult {
  if (typeof body === 'object' && body !== null && 'instance' in body) {
    const { instance } = parseResponse(instanceStateResponseSchema, body, operation);
    // `connecting` or `close` here means a socket is (re)starting and has no QR to show yet.
    return instance.state === 'open' ? { state: 'open' } : { state: 'connecting', qr: null };
  }
  const qr = parseResponse(qrCodeResponseSchema, body, operation);
  if (qr.code === undefined || qr.code === '') return { state: 'connecting', qr: null };
  return {
    state: 'connecting',
    qr: {
      code: qr.code,
      base64: qr.base64 ?? null,
      pairingCode: qr.pairingCode ?? null,
      count: qr.count ?? 1,
    },
  };
}

export function toInstanceInfo(body: unknown, instanceName: string): InstanceInfo | null {
  const rows = parseResponse(fetchInstancesResponseSchema, body, 'fetchInstances');
  const row = rows.find((candidate) => candidate.name === instanceName);
  if (row === undefined) return null;
  return {
    instanceName: row.name,
    instanceId: row.id,
    connectionStatus: row.connectionStatus,
    ownerPhone: jidToE164(row.ownerJid),
    profileName: row.profileName ?? null,
    token: row.token ?? null,
  };
}

export function toWebhookConfig(row: z.output<typeof webhookRowSchema>): WebhookConfig {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(row.headers ?? {})) {
    if (typeof value === 'string') headers[name] = value;
  }
  return {
    url: row.url,
    enabled: row.enabled,
    events: row.events ?? [],
    headers,
    byEvents: row.webhookByEvents ?? false,
    base64: row.webhookBase64 ?? false,
  };
}

export function toSendResult(body: unknown, operation: string, now: Date = new Date()): SendResult {
  const message = parseResponse(sendMessageResponseSchema, body, operation);
  const rawStatus = message.status ?? 'PENDING';
  return {
    evolutionMessageId: message.key.id,
    remoteJid: message.key.remoteJid,
    phone: jidToE164(pickPhoneJid(message.key)),
    status: statusAfterSend(rawStatus),
    rawStatus,
    timestamp: parseMessageTimestamp(message.messageTimestamp) ?? now,
  };
}

export function toNumberChecks(body: unknown): NumberCheck[] {
  return parseResponse(whatsappNumbersResponseSchema, body, 'whatsappNumbers').map((entry) => {
    const digits = entry.number.replace(/\D/g, '');
    return {
      number: digits === '' ? entry.number : `+${digits}`,
      exists: entry.exists,
      jid: entry.jid,
      phone: entry.exists ? jidToE164(entry.jid) : null,
      name: entry.name ?? null,
    };
  });
}

export function toStatusRecords(body: unknown): StatusRecord[] {
  return parseResponse(findStatusMessageResponseSchema, body, 'findStatusMessage').map((row) => ({
    evolutionMessageId: row.keyId,
    remoteJid: row.remoteJid ?? null,
    fromMe: row.fromMe ?? null,
    participant: row.participant ?? null,
    status: mapEvolutionStatus(row.status),
    rawStatus: row.status,
  }));
}
