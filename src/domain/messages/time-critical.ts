// Which messages go ahead of their advisor's own backlog: those an appointment's time makes
// worthless when late. A confirmation or a "rescheduled" notice answers something that just
// happened; a reminder after its appointment began is worse than none. A follow-up, a manual
// message or a campaign can wait its turn. Only the automation writes these purposes, so a
// caller of the send API cannot jump the line by naming one.
import type { MessageRow } from '../../db/repositories/message.repository.js';

const TIME_CRITICAL_PURPOSES: ReadonlySet<string> = new Set(['confirmation', 'rescheduled', 'reminder']);

export function isTimeCritical(message: Pick<MessageRow, 'source' | 'purpose'>): boolean {
  return message.source === 'automation' && TIME_CRITICAL_PURPOSES.has(message.purpose);
}
