// The gateway's public surface: import from here, not from the files behind it.
export type * from './gateway.js';
export type * from './types.js';
export type * from './webhook-event-types.js';
export { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_EVENT_NAMES } from './types.js';
export { EvolutionClient } from './evolution-client.js';
export { audioTypeToConvertOfName, isAudioToConvert, mediaFileName, typeOfFileName } from './media.js';
export type { EvolutionClientOptions } from './evolution-client.js';
export type { GatewayLogger } from './http-transport.js';
export {
  GATEWAY_ERROR_CODES,
  GatewayError,
  WebhookParseError,
  isGatewayError,
  kindOfCode,
  mayHaveBeenProcessed,
} from './errors.js';
export type { GatewayErrorCode, GatewayErrorKind } from './errors.js';
export { canonicalEventName, parseWebhook } from './webhook-events.js';
export type { ParseWebhookOptions } from './webhook-events.js';
export { e164ToNumber, isE164, isGroupJid, isLidJid, jidToE164, pickPhoneJid } from './jid.js';
export { bearerToken, verifyWebhookToken } from './webhook-token.js';
export type { WebhookTokenCheck, WebhookTokenOptions } from './webhook-token.js';
