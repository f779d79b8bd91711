// A message's author editing it, or deleting it for everyone, as 2.3.6 reports it (reference
// §4.4). An edit is an upsert holding a protocolMessage, which Evolution does not forward as
// MESSAGES_UPSERT but as MESSAGES_EDITED, data = the raw protocolMessage (enum by name, its key
// written from the author's side, timestampMs a string). A revoke is such a notice too, and Baileys
// also turns it into a content-less update, which takes Evolution's delete path: MESSAGES_DELETE
// with the key.
import type { EmulatorContext } from '../core/context.js';
import type { Instance, StoredMessage } from '../core/instance.js';

const MEDIA_KEYS = ['imageMessage', 'videoMessage', 'documentMessage', 'audioMessage'] as const;

/** The key as the author's phone wrote it: fromMe, addressed to the other side of the chat. */
function authorKey(instance: Instance, stored: StoredMessage) {
  const { key } = stored.wire;
  const remoteJid = key.fromMe ? key.remoteJid : (instance.wuid ?? key.remoteJid);
  return { remoteJid, fromMe: true, id: key.id };
}

/** Edits the stored message: a text message's text, a media message's caption. */
export function editStoredMessage(
  ctx: EmulatorContext,
  instance: Instance,
  stored: StoredMessage,
  text: string,
): Record<string, unknown> {
  const mediaKey = MEDIA_KEYS.find((k) => stored.wire.message[k] !== undefined);
  if (mediaKey) {
    stored.wire.message[mediaKey] = { ...(stored.wire.message[mediaKey] as object), caption: text };
  } else {
    stored.wire.message.conversation = text;
  }
  const notice = {
    key: authorKey(instance, stored),
    type: 'MESSAGE_EDIT',
    // The notice carries only the new words, not the whole content.
    editedMessage: mediaKey ? { [mediaKey]: { caption: text } } : { conversation: text },
    timestampMs: String(Date.now()),
  };
  ctx.webhooks.emit(instance, 'messages.edited', notice);
  return notice;
}

export function revokeStoredMessage(
  ctx: EmulatorContext,
  instance: Instance,
  stored: StoredMessage,
): Record<string, unknown> {
  const { key } = stored.wire;
  const notice = { key: authorKey(instance, stored), type: 'REVOKE' };
  ctx.webhooks.emit(instance, 'messages.edited', notice);
  ctx.webhooks.emit(instance, 'messages.delete', {
    remoteJid: key.remoteJid,
    fromMe: key.fromMe,
    id: key.id,
  });
  stored.revoked = true;
  return notice;
}
