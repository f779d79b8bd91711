// A template edit, an override's creation or deletion, with the appointment messages planned from it
// rendered again (rerender-planned-messages.ts), in one transaction: the template and the planned
// messages never disagree, and if one planned message cannot be written with the new body the
// edit is refused and nothing changes. Live events for the rewritten messages are published after
// the commit (runAppointmentTransaction). The exclusive template lock is taken first, so a booking
// planning at the same moment either commits before the messages are looked for or renders with
// the edited template.
import { lockAdvisorTemplates } from '../../db/repositories/planned-message.repository.js';
import type { DomainContext } from '../context.js';
import type { MessageQueue } from '../messages/message-queue.js';
import type { SendOptions } from '../messages/send-message.js';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  updateTemplate,
  type CreateTemplateInput,
  type TemplateView,
  type UpdateTemplateInput,
} from '../templates/index.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { rerenderPlannedMessages } from './rerender-planned-messages.js';

/** The created or edited template, and how many planned messages now say what it says. */
export interface TemplateUpdate {
  template: TemplateView;
  rerendered: number;
}

export async function updateTemplateAndPlans(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  id: string,
  input: UpdateTemplateInput,
  actor: SendOptions['actor'],
): Promise<TemplateUpdate> {
  return runAppointmentTransaction(ctx, queue, async (tx) => {
    await lockAdvisorTemplates(tx.db, advisorId, 'edit');
    const view = await updateTemplate(tx, advisorId, id, input);
    const rerendered = await rerenderPlannedMessages(
      tx,
      advisorId,
      { action: 'template.update', templateId: view.id, key: view.key, language: view.language },
      actor,
    );
    // A queued message moved from the built-in to the new override counts on the override now.
    const template = rerendered > 0 ? await getTemplate(tx, advisorId, view.id) : view;
    return { template, rerendered };
  });
}

/**
 * A new template. Only an override of a built-in (`overridesBuiltIn`) can change planned
 * messages: created with POST rather than by a PUT of the built-in, it used to leave the
 * reminders planned before it with the built-in's words while new bookings got its own.
 */
export async function createTemplateAndPlans(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  input: CreateTemplateInput,
  actor: SendOptions['actor'],
): Promise<TemplateUpdate> {
  return runAppointmentTransaction(ctx, queue, async (tx) => {
    await lockAdvisorTemplates(tx.db, advisorId, 'edit');
    const view = await createTemplate(tx, advisorId, input);
    const rerendered = view.overridesBuiltIn
      ? await rerenderPlannedMessages(
          tx,
          advisorId,
          { action: 'template.create', templateId: view.id, key: view.key, language: view.language },
          actor,
        )
      : 0;
    // The rewritten messages count on the new override.
    const template = rerendered > 0 ? await getTemplate(tx, advisorId, view.id) : view;
    return { template, rerendered };
  });
}

export async function deleteTemplateAndPlans(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  id: string,
  actor: SendOptions['actor'],
): Promise<{ rerendered: number }> {
  return runAppointmentTransaction(ctx, queue, async (tx) => {
    await lockAdvisorTemplates(tx.db, advisorId, 'edit');
    const deleted = await deleteTemplate(tx, advisorId, id);
    const rerendered = await rerenderPlannedMessages(
      tx,
      advisorId,
      { action: 'template.delete', templateId: deleted.id, key: deleted.key, language: deleted.language },
      actor,
    );
    return { rerendered };
  });
}
