// A message arriving on the phone (a client writing, or the advisor typing on the phone itself), delivered as
// MESSAGES_UPSERT with the shape of reference §4.4: Baileys 7 keys (remoteJidAlt, addressingMode), extended
// text flattened into `conversation`, a numeric timestamp, and DELIVERY_ACK for messages from others.
import type { EmulatorContext } from '../core/context.js';
import type { Instance, MessageKey, WireMessage } from '../core/instance.js';
import { base64Bytes, phoneMessageId, rowId, stableDigits } from '../core/ids.js';
import { createJid, jidUser } from '../core/jid.js';
import { mediaContent, mimeFromName, placeholderBase64, type MediaKind } from './media.js';

export interface InboundSpec {
  from: string;
  pushName?: string;
  text?: string;
  media?: { type: MediaKind; caption?: string; mimetype?: string; fileName?: string; base64?: string };
  extendedText?: boolean;
  asLid?: boolean;
  fromMe?: boolean;
  group?: string;
  id?: string;
}

const DEFAULT_MIME: Record<MediaKind, string> = {
  image: 'image/jpeg',
  document: 'application/pdf',
  audio: 'audio/ogg; codecs=opus',
  video: 'video/mp4',
};

/** The privacy id WhatsApp gives a phone number; stable so the same client always has the same LID. */
export function lidFor(phoneJid: string): string {
  return `${stableDigits(`lid:${phoneJid}`, 15).replace(/^0/, '1')}@lid`;
}

function messageContextInfo(timestamp: number): Record<string, unknown> {
  return {
    deviceListMetadata: {
      senderKeyHash: base64Bytes(10),
      senderTimestamp: String(timestamp - 86_400),
      recipientKeyHash: base64Bytes(10),
      recipientTimestamp: String(timestamp - 3_600),
    },
    deviceListMetadataVersion: 2,
    messageSecret: base64Bytes(32),
  };
}

function buildKey(spec: InboundSpec, id: string): MessageKey {
  const phoneJid = createJid(spec.from);
  const lid = lidFor(phoneJid);
  const fromMe = spec.fromMe ?? false;
  const addressingMode = spec.asLid ? 'lid' : 'pn';
  if (spec.group) {
    const remoteJid = spec.group.includes('@') ? spec.group : `${spec.group}@g.us`;
    return {
      remoteJid,
      fromMe,
      id,
      participant: spec.asLid ? lid : phoneJid,
      participantAlt: spec.asLid ? phoneJid : lid,
      addressingMode,
    };
  }
  // Baileys 7 passes the other addressing form in remoteJidAlt; 2.3.6 forwards the key unchanged.
  return {
    remoteJid: spec.asLid ? lid : phoneJid,
    fromMe,
    id,
    remoteJidAlt: spec.asLid ? phoneJid : lid,
    addressingMode,
  };
}

export interface InboundResult {
  wire: WireMessage;
  emitted: boolean;
}

export function receiveInbound(ctx: EmulatorContext, instance: Instance, spec: InboundSpec): InboundResult {
  const timestamp = Math.floor(Date.now() / 1000);
  const key = buildKey(spec, spec.id ?? phoneMessageId());
  const message: Record<string, unknown> = {};
  let messageType = 'conversation';
  let contextInfo: Record<string, unknown> | undefined;
  let media: { base64: string; mimetype: string; fileName?: string; caption?: string } | undefined;
  if (spec.media) {
    const kind = spec.media.type;
    const caption = spec.media.caption ?? spec.text;
    const mimetype = spec.media.mimetype ?? mimeFromName(spec.media.fileName) ?? DEFAULT_MIME[kind];
    const fileName = spec.media.fileName ?? (kind === 'document' ? 'document.pdf' : undefined);
    const base64 = spec.media.base64 ?? placeholderBase64(kind);
    messageType = `${kind}Message`;
    message[messageType] = mediaContent(kind, {
      mimetype,
      base64,
      ...(caption !== undefined && kind !== 'audio' ? { caption } : {}),
      ...(fileName !== undefined ? { fileName } : {}),
      ...(kind === 'audio' ? { ptt: true } : {}),
    });
    media = { base64, mimetype, ...(fileName ? { fileName } : {}), ...(caption ? { caption } : {}) };
    if (instance.base64AtConnect) message.base64 = base64;
  } else {
    message.conversation = spec.text ?? '';
    // An extendedTextMessage is flattened by the gateway; only its contextInfo survives, at the top level.
    if (spec.extendedText)
      contextInfo = { expiration: 0, ephemeralSettingTimestamp: '0', disappearingMode: {} };
  }
  message.messageContextInfo = messageContextInfo(timestamp);
  const fromMe = spec.fromMe ?? false;
  const wire: WireMessage = {
    key,
    pushName: fromMe ? 'Você' : (spec.pushName ?? `Cliente ${jidUser(createJid(spec.from)).slice(-4)}`),
    // Baileys marks messages typed on the own phone SERVER_ACK; others get DELIVERY_ACK from the gateway.
    status: fromMe ? 'SERVER_ACK' : 'DELIVERY_ACK',
    message,
    ...(contextInfo ? { contextInfo } : {}),
    messageType,
    messageTimestamp: timestamp,
    instanceId: instance.id,
    source: 'android',
  };
  instance.messages.set(key.id, { rowId: rowId(), wire, ...(media ? { media } : {}) });
  ctx.stats.inbound += 1;
  if (spec.group && instance.settings.groupsIgnore) return { wire, emitted: false };
  ctx.webhooks.emit(instance, 'messages.upsert', wire);
  if (!fromMe && !spec.group) {
    const isNew = !instance.contacts.has(key.remoteJid);
    instance.contacts.add(key.remoteJid);
    ctx.webhooks.emit(instance, isNew ? 'contacts.upsert' : 'contacts.update', {
      remoteJid: key.remoteJid,
      pushName: wire.pushName,
      profilePicUrl: null,
      instanceId: instance.id,
    });
  }
  return { wire, emitted: true };
}
