import { describeSharedContent } from './shared-content.js';
import type { MessageKind, NotAMessage } from './webhook-event-types.js';

export interface MessageContent {
  kind: MessageKind;
  text: string | null;
  caption: string | null;
  mimetype: string | null;
  fileName: string | null;
}

type Fields = Record<string, unknown>;

// Containers WhatsApp wraps a message in; the content sits in their own `message`. Each photo or
// video of an album (several sent at once) comes in associatedChildMessage, an animated sticker's
// stickerMessage in lottieStickerMessage.
const WRAPPERS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'associatedChildMessage',
  'lottieStickerMessage',
];

const MEDIA_KINDS: readonly [string, MessageKind][] = [
  ['imageMessage', 'image'],
  ['videoMessage', 'video'],
  // A video note (the round video recorded in the chat): a video of its own key.
  ['ptvMessage', 'video'],
  ['audioMessage', 'audio'],
  ['documentMessage', 'document'],
  ['stickerMessage', 'sticker'],
];

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function unwrap(message: Fields): Fields {
  let current = message;
  for (let depth = 0; depth < 3; depth += 1) {
    const wrapper = WRAPPERS.map((name) => current[name]).find(isFields);
    if (wrapper === undefined || !isFields(wrapper.message)) return current;
    current = wrapper.message;
  }
  return current;
}

// Keys that ride along with a message without being one: device and key metadata, and what
// Evolution adds to media (the bytes, a storage URL).
const METADATA = new Set(['messageContextInfo', 'senderKeyDistributionMessage', 'base64', 'mediaUrl']);

const NOT_MESSAGES: Readonly<Record<string, NotAMessage>> = {
  reactionMessage: 'reaction',
  encReactionMessage: 'reaction',
  protocolMessage: 'protocol',
  editedMessage: 'protocol',
  // An album's own message says only how many photos and videos follow; each comes as a message
  // of its own (associatedChildMessage), and WhatsApp shows the album as those.
  albumMessage: 'empty',
};

/**
 * Why this `message` is not one (a reaction, a protocol notice, nothing at all), or null when it
 * is a message, even one we cannot read (a location, a contact: kind `other`). Content we can
 * read always counts as a message.
 */
export function notAMessageReason(message: unknown): NotAMessage | null {
  if (!isFields(message)) return 'empty';
  if (readMessageContent(message).kind !== 'other') return null;
  const content = unwrap(message);
  const keys = Object.keys(content).filter((key) => !METADATA.has(key) && content[key] != null);
  for (const key of keys) {
    const reason = NOT_MESSAGES[key];
    if (reason) return reason;
  }
  // No content, or only a text with no words (Evolution itself skips empty messages).
  return keys.every((key) => key === 'conversation' || key === 'extendedTextMessage') ? 'empty' : null;
}

/**
 * Reads Baileys' `message` object. Evolution flattens extendedTextMessage into `conversation`
 * and documentWithCaptionMessage into documentMessage, but the unflattened forms are read too.
 */
export function readMessageContent(message: unknown): MessageContent {
  const empty: MessageContent = { kind: 'other', text: null, caption: null, mimetype: null, fileName: null };
  if (!isFields(message)) return empty;
  const content = unwrap(message);

  for (const [key, kind] of MEDIA_KINDS) {
    const media = content[key];
    if (!isFields(media)) continue;
    return {
      kind,
      text: null,
      caption: text(media.caption),
      mimetype: text(media.mimetype),
      fileName: text(media.fileName),
    };
  }
  const body =
    text(content.conversation) ??
    (isFields(content.extendedTextMessage) ? text(content.extendedTextMessage.text) : null);
  if (body !== null) return { ...empty, kind: 'text', text: body };
  // A location, a contact, a poll: still kind `other`, with a text that says what was shared.
  return { ...empty, text: describeSharedContent(content) };
}

/**
 * The new content of an edit, from any of the shapes it comes in: the protocolMessage itself
 * (`{editedMessage: {conversation}}`, MESSAGES_EDITED), Baileys' update (`{editedMessage: {message:
 * {…}}}`, 2.3.7's MESSAGES_UPDATE), the sender's wrapped form (`{editedMessage: {message:
 * {protocolMessage: {editedMessage: {…}}}}}`), or plain content. Null when it holds no words.
 */
export function readEditedContent(value: unknown, depth = 0): MessageContent | null {
  if (!isFields(value) || depth > 4) return null;
  if (isFields(value.protocolMessage)) return readEditedContent(value.protocolMessage, depth + 1);
  if (isFields(value.editedMessage)) {
    const inner = value.editedMessage;
    return readEditedContent(isFields(inner.message) ? inner.message : inner, depth + 1);
  }
  const content = readMessageContent(value);
  return content.text === null && content.caption === null ? null : content;
}

function stanzaIdOf(contextInfo: unknown): string | null {
  return isFields(contextInfo) ? text(contextInfo.stanzaId) : null;
}

/**
 * The id of the message a reply quotes: `contextInfo.stanzaId`. Evolution lifts the content's
 * contextInfo to the top of the webhook data (§4.4); an unflattened message keeps it inside its
 * content (`extendedTextMessage.contextInfo`, `imageMessage.contextInfo`, …), so both are read.
 */
export function readQuotedMessageId(contextInfo: unknown, message: unknown): string | null {
  const lifted = stanzaIdOf(contextInfo);
  if (lifted !== null || !isFields(message)) return lifted;
  for (const content of [unwrap(message), message]) {
    for (const value of Object.values(content)) {
      const id = isFields(value) ? stanzaIdOf(value.contextInfo) : null;
      if (id !== null) return id;
    }
  }
  return null;
}
