// What a client's edit says. A client who edits a message of theirs into STOP (BAJA, SAIR, any of
// reply-keywords.ts's opt-out words) has asked to be left alone as surely as one who sends it, and
// honouring an opt-out is always the safe side: the edit opts them out, audited and shown live as
// a new message's STOP is, ordered with their other STOPs and STARTs by when they made the edit.
// It is read whatever became of the message since (a newer edit, a deletion, applied first because
// webhooks come in any order): the client did write it, as a STOP they sent and then edited stays.
//
// Only an opt-out is read in an edit:
// - An opt-in (START, ALTA, VOLTAR) is not. Consent to be written to again must be unambiguous,
//   and an edit is a word rewritten inside an old message, up the chat; a client opted out by a
//   STOP they later edit into START stays out until they send START. The cost of missing it is
//   one more message from the client; the cost of a wrong opt-in is writing to someone who asked
//   us not to.
// - An appointment answer (1/sí, 2/no) is not. Which appointment a message answers is settled
//   when it arrives (the reminder it quotes, else the latest one sent in the week before it);
//   read again at the edit, a "2" could land on a reminder sent after the message was written,
//   which it never answered. An answer only informs the advisor (a 2 cancels nothing), who sees
//   the edited words live in the conversation; and a "1" edited into "hola" does not withdraw the
//   confirmation either: keywords already acted on stand (apply-message-edit.ts).
import { insertAudit } from '../../db/repositories/audit.repository.js';
import { lockClient } from '../../db/repositories/client.repository.js';
import { setOptState } from '../../db/repositories/inbox.repository.js';
import { findClientTextMessage } from '../../db/repositories/message-edit.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import type { DomainContext } from '../context.js';
import { optKeywordOf } from './reply-keywords.js';

/**
 * Opts the client out when this edit of their text message says an opt-out word. Returns the
 * message when the edit changed the client's consent (the caller's live event says so), else
 * null: not an opt-out word, not a client's text message, already opted out, or a later START
 * stands. Idempotent: a repeated delivery finds the client opted out and changes nothing.
 */
export async function optOutByEdit(
  ctx: DomainContext,
  advisorId: string,
  evolutionMessageId: string,
  edit: { text: string | null; at: Date },
): Promise<MessageRow | null> {
  if (optKeywordOf(edit.text) !== 'opt_out') return null;
  return ctx.db.transaction(async (tx) => {
    const message = await findClientTextMessage(tx, advisorId, evolutionMessageId);
    if (!message?.phone) return null;
    const phone = message.phone;
    const before = await lockClient(tx, advisorId, phone);
    const row = await setOptState(tx, advisorId, phone, true, 'keyword', edit.at);
    if (!row || before?.optedOut) return null;
    await insertAudit(tx, advisorId, {
      actorType: 'system',
      actorId: null,
      action: 'client.opt_out',
      phone,
      content: { source: 'keyword', text: edit.text, edited: true },
    });
    return message;
  });
}
