// The Message shape of API.md, built from a row. Idempotency data and media bytes stay inside.
import type { MessageRow } from '../../db/repositories/message.repository.js';

export function messageView(row: MessageRow) {
  return {
    id: row.id,
    direction: row.direction as 'outbound' | 'inbound',
    phone: row.phone,
    clientName: row.clientName,
    type: row.type,
    text: row.text,
    caption: row.caption,
    mediaUrl: row.mediaUrl,
    mimetype: row.mimetype,
    fileName: row.fileName,
    templateKey: row.templateKey,
    appointmentId: row.appointmentId,
    purpose: row.purpose,
    status: row.status,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
    attempts: row.attempts,
    evolutionMessageId: row.evolutionMessageId,
    source: row.source,
    createdAt: row.createdAt,
    scheduledAt: row.scheduledAt,
    sentAt: row.sentAt,
    deliveredAt: row.deliveredAt,
    readAt: row.readAt,
    failedAt: row.failedAt,
    repliedAt: row.repliedAt,
    editedAt: row.editedAt,
    deletedAt: row.deletedAt,
  };
}

export type MessageView = ReturnType<typeof messageView>;
