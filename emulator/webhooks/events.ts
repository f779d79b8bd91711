// Event names in their three spellings (reference §3.8, §4.1, §4.4): UPPER_SNAKE in the webhook config,
// lowercase dotted in the payload `event`, kebab-case as the byEvents path suffix.

/** The allow-list the gateway validates `/webhook/set` events against (EventController.events, 2.3.6). */
export const CONFIGURABLE_EVENTS = [
  'APPLICATION_STARTUP',
  'QRCODE_UPDATED',
  'MESSAGES_SET',
  'MESSAGES_UPSERT',
  'MESSAGES_EDITED',
  'MESSAGES_UPDATE',
  'MESSAGES_DELETE',
  'SEND_MESSAGE',
  'SEND_MESSAGE_UPDATE',
  'CONTACTS_SET',
  'CONTACTS_UPSERT',
  'CONTACTS_UPDATE',
  'PRESENCE_UPDATE',
  'CHATS_SET',
  'CHATS_UPSERT',
  'CHATS_UPDATE',
  'CHATS_DELETE',
  'GROUPS_UPSERT',
  'GROUP_UPDATE',
  'GROUP_PARTICIPANTS_UPDATE',
  'CONNECTION_UPDATE',
  'LABELS_EDIT',
  'LABELS_ASSOCIATION',
  'CALL',
  'TYPEBOT_START',
  'TYPEBOT_CHANGE_STATUS',
  'REMOVE_INSTANCE',
  'LOGOUT_INSTANCE',
  'INSTANCE_CREATE',
  'INSTANCE_DELETE',
  'STATUS_INSTANCE',
] as const;

/** Dotted payload names (the Events enum values). `GROUP_UPDATE` has none: the real one emits `groups.update`. */
const DOTTED: Record<string, string> = {
  APPLICATION_STARTUP: 'application.startup',
  QRCODE_UPDATED: 'qrcode.updated',
  MESSAGES_SET: 'messages.set',
  MESSAGES_UPSERT: 'messages.upsert',
  MESSAGES_EDITED: 'messages.edited',
  MESSAGES_UPDATE: 'messages.update',
  MESSAGES_DELETE: 'messages.delete',
  SEND_MESSAGE: 'send.message',
  SEND_MESSAGE_UPDATE: 'send.message.update',
  CONTACTS_SET: 'contacts.set',
  CONTACTS_UPSERT: 'contacts.upsert',
  CONTACTS_UPDATE: 'contacts.update',
  PRESENCE_UPDATE: 'presence.update',
  CHATS_SET: 'chats.set',
  CHATS_UPSERT: 'chats.upsert',
  CHATS_UPDATE: 'chats.update',
  CHATS_DELETE: 'chats.delete',
  GROUPS_UPSERT: 'groups.upsert',
  GROUPS_UPDATE: 'groups.update',
  GROUP_PARTICIPANTS_UPDATE: 'group-participants.update',
  CONNECTION_UPDATE: 'connection.update',
  LABELS_EDIT: 'labels.edit',
  LABELS_ASSOCIATION: 'labels.association',
  CALL: 'call',
  TYPEBOT_START: 'typebot.start',
  TYPEBOT_CHANGE_STATUS: 'typebot.change-status',
  REMOVE_INSTANCE: 'remove.instance',
  LOGOUT_INSTANCE: 'logout.instance',
  INSTANCE_CREATE: 'instance.create',
  INSTANCE_DELETE: 'instance.delete',
  STATUS_INSTANCE: 'status.instance',
};

export type DottedEvent =
  | 'qrcode.updated'
  | 'connection.update'
  | 'status.instance'
  | 'logout.instance'
  | 'remove.instance'
  | 'instance.create'
  | 'instance.delete'
  | 'messages.upsert'
  | 'messages.update'
  | 'send.message'
  | 'contacts.upsert'
  | 'contacts.update';

/** `messages.upsert` → `MESSAGES_UPSERT`, as the gateway computes it before matching the config. */
export function upperName(event: string): string {
  return event.replace(/[.-]/g, '_').toUpperCase();
}

/** `MESSAGES_UPSERT` → `messages-upsert`, the byEvents suffix. */
export function kebabName(event: string): string {
  return upperName(event).replace(/_/g, '-').toLowerCase();
}

/** Accepts either spelling (control API `emit`) and returns the dotted payload name. */
export function toDotted(event: string): string {
  if (/[a-z.]/.test(event)) return event;
  return DOTTED[event] ?? event.toLowerCase().replace(/_/g, '.');
}
