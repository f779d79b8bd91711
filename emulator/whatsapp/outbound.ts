// A message leaving through the API: the object the send route answers with, also sent as SEND_MESSAGE, then
// remembered for receipts, findStatusMessage, getBase64FromMediaMessage and the control API's `sent` list.
import type { EmulatorContext } from '../core/context.js';
import type { Instance, SentRecord, StoredMessage, WireMessage } from '../core/instance.js';
import { outboundMessageId, rowId } from '../core/ids.js';
import { scheduleReceipts } from './receipts.js';

export interface OutboundContent {
  type: SentRecord['type'];
  messageType: string;
  message: Record<string, unknown>;
  contextInfo?: Record<string, unknown>;
  text?: string;
  media?: { base64?: string; mimetype: string; fileName?: string; caption?: string; ptt?: boolean };
}

export function sendOutbound(
  ctx: EmulatorContext,
  instance: Instance,
  number: string,
  remoteJid: string,
  content: OutboundContent,
): WireMessage {
  const id = outboundMessageId();
  // With the webhook's base64 flag (read at connect) media bytes ride along, in the webhook and the response.
  if (content.media?.base64 && instance.base64AtConnect) content.message.base64 = content.media.base64;
  const wire: WireMessage = {
    key: { remoteJid, fromMe: true, id },
    pushName: 'Você',
    status: 'PENDING',
    message: content.message,
    ...(content.contextInfo ? { contextInfo: content.contextInfo } : {}),
    messageType: content.messageType,
    messageTimestamp: Math.floor(Date.now() / 1000),
    instanceId: instance.id,
    source: 'web',
  };
  const stored: StoredMessage = { rowId: rowId(), wire, ...(content.media ? { media: content.media } : {}) };
  instance.messages.set(id, stored);
  instance.sent.push({
    id,
    number,
    remoteJid,
    type: content.type,
    ...(content.text !== undefined ? { text: content.text } : {}),
    ...(content.media?.caption !== undefined ? { caption: content.media.caption } : {}),
    ...(content.media?.fileName !== undefined ? { fileName: content.media.fileName } : {}),
    ...(content.media ? { mimetype: content.media.mimetype } : {}),
    ...(content.media?.ptt ? { ptt: true } : {}),
    at: new Date().toISOString(),
  });
  ctx.stats.sends += 1;
  ctx.webhooks.emit(instance, 'send.message', wire);
  scheduleReceipts(ctx, instance, stored);
  return wire;
}
