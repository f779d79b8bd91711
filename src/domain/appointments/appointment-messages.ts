// Turns a planned message into a message row, always through sendMessage (validation, template
// rendering, opt-out, audit, queue), stamped with the appointment version it belongs to. A plan
// that says "skip", and an automated message sendMessage refuses (client opted out, sending
// disabled, a template that no longer renders), still leave a row, skipped or failed with the
// reason, so the appointment's timeline shows what did not go out and why.
import { findAdvisorName } from '../../db/repositories/advisor.repository.js';
import type { AppointmentRow } from '../../db/repositories/appointment.repository.js';
import { setMessagesAppointmentVersion } from '../../db/repositories/appointment.repository.js';
import { ensureConfig } from '../../db/repositories/whatsapp-config.repository.js';
import { insertMessage, type MessageRow } from '../../db/repositories/message.repository.js';
import { lockAdvisorTemplates } from '../../db/repositories/planned-message.repository.js';
import { AppError } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import { readSettings, type AdvisorSettings } from '../instances/advisor-settings.js';
import { effectiveFeatures, type Features } from '../instances/features.js';
import type { MessageQueue } from '../messages/message-queue.js';
import { messageView } from '../messages/message-view.js';
import type { ContentRequest } from '../messages/resolve-content.js';
import { sendMessage, type SendOptions } from '../messages/send-message.js';
import {
  buildAppointmentVariables,
  DEFAULT_FOLLOW_UP_MESSAGE,
  ONLINE_APPOINTMENT_PLACE,
  templateLanguageForLocale,
  type BuiltinTemplateKey,
} from '../templates/index.js';
import type { AppointmentMessageKind, PlannedMessage } from './plan-appointment-messages.js';

export const TEMPLATE_OF_KIND: Record<AppointmentMessageKind, BuiltinTemplateKey> = {
  confirmation: 'appointment_confirmation',
  reminder: 'appointment_reminder',
  follow_up: 'follow_up',
  rescheduled: 'appointment_rescheduled',
};

const AUTOMATION_ACTOR: SendOptions['actor'] = { type: 'automation', id: null };

export interface AppointmentAdvisor {
  name: string;
  settings: AdvisorSettings;
  features: Features;
}

/**
 * The first thing every appointment transaction does. It also takes the advisor's template lock
 * (shared): a template edit re-renders the planned messages under the exclusive one, so a plan
 * either commits before the edit looks for planned messages or renders with the edited template.
 */
export async function loadAppointmentAdvisor(
  ctx: DomainContext,
  advisorId: string,
): Promise<AppointmentAdvisor> {
  await lockAdvisorTemplates(ctx.db, advisorId, 'plan');
  const config = await ensureConfig(ctx.db, advisorId);
  return {
    name: (await findAdvisorName(ctx.db, advisorId)) ?? '',
    settings: readSettings(config.settings, ctx.bounds),
    features: effectiveFeatures(ctx.featureDefaults, config.features),
  };
}

/** The template variables for one kind of message; stand-ins where the booking gave nothing. */
export function variablesFor(
  kind: AppointmentMessageKind,
  appointment: AppointmentRow,
  advisor: AppointmentAdvisor,
  personalMessage?: string,
): Record<string, string> {
  const language = templateLanguageForLocale(advisor.settings.locale);
  const variables: Record<string, string> = buildAppointmentVariables(
    {
      clientName: appointment.clientName,
      startsAt: appointment.startsAt,
      timezone: appointment.timezone,
      address: appointment.address ?? undefined,
    },
    { name: advisor.name, locale: advisor.settings.locale },
    personalMessage,
  );
  variables.direccion ??= ONLINE_APPOINTMENT_PLACE[language];
  if (kind === 'follow_up') variables.mensaje_personalizado ??= DEFAULT_FOLLOW_UP_MESSAGE[language];
  return variables;
}

/**
 * What a message of this kind says, as a send request: the advisor's template for it (their
 * override, else the built-in, in their language) filled from the appointment. Planning sends it;
 * a template edit renders it again for the messages still waiting (rerender-planned-messages.ts).
 */
export function plannedContent(
  kind: AppointmentMessageKind,
  appointment: AppointmentRow,
  advisor: AppointmentAdvisor,
  personalMessage?: string,
): Required<Pick<ContentRequest, 'template' | 'variables'>> {
  return {
    template: { key: TEMPLATE_OF_KIND[kind] },
    variables: variablesFor(kind, appointment, advisor, personalMessage),
  };
}

export interface WriteOptions {
  advisor: AppointmentAdvisor;
  actor: SendOptions['actor'];
  source: SendOptions['source'];
  /** Automated plans record a refusal as a row; a send by hand answers it as the error. */
  onRefusal: 'record' | 'throw';
  idempotencyKey?: string;
  /** What a repeat with `idempotencyKey` must match (SendOptions.idempotencyBody). */
  idempotencyBody?: unknown;
  personalMessage?: string;
}

/** Messages planned automatically get one key per appointment version and kind: never two. */
const plannedMessageKey = (appointment: AppointmentRow, kind: AppointmentMessageKind): string =>
  `appointment:${appointment.id}:v${appointment.version}:${kind}`;

export async function writePlannedMessage(
  tx: DomainContext,
  txQueue: MessageQueue,
  advisorId: string,
  appointment: AppointmentRow,
  plan: PlannedMessage,
  options: WriteOptions,
): Promise<{ message: MessageRow; created: boolean }> {
  const record = async (status: 'skipped' | 'failed', reason: { code: string; message: string }) => {
    const message = await insertMessage(tx.db, advisorId, {
      direction: 'outbound',
      phone: appointment.clientPhone,
      clientName: appointment.clientName,
      type: 'text',
      templateKey: TEMPLATE_OF_KIND[plan.kind],
      appointmentId: appointment.id,
      appointmentVersion: appointment.version,
      purpose: plan.kind,
      status,
      errorCode: reason.code,
      errorMessage: reason.message,
      failedAt: status === 'failed' ? nowOf(tx) : null,
      source: options.source,
      idempotencyKey: options.idempotencyKey ?? null,
      // The time it was planned for, so the timeline can say "reminder for 09:00, skipped".
      scheduledAt: plan.action === 'send' ? plan.at : plan.dueAt,
    });
    await tx.events.publish(advisorId, { type: 'message', data: messageView(message) as never });
    return { message, created: true };
  };
  if (plan.action === 'skip') return record('skipped', plan.reason);

  try {
    const { message, created } = await sendMessage(
      tx,
      txQueue,
      advisorId,
      {
        to: appointment.clientPhone,
        clientName: appointment.clientName,
        ...plannedContent(plan.kind, appointment, options.advisor, options.personalMessage),
        ...(plan.at ? { scheduledAt: plan.at } : {}),
      },
      {
        actor: options.actor,
        source: options.source,
        purpose: plan.kind,
        appointmentId: appointment.id,
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        ...(options.idempotencyBody !== undefined ? { idempotencyBody: options.idempotencyBody } : {}),
      },
    );
    if (!created) return { message, created };
    await setMessagesAppointmentVersion(tx.db, advisorId, [message.id], appointment.version);
    return { message: { ...message, appointmentVersion: appointment.version }, created };
  } catch (err) {
    if (options.onRefusal === 'throw' || !(err instanceof AppError) || err.code === 'idempotency_conflict') {
      throw err;
    }
    const skipped = err.code === 'recipient_opted_out' || err.code === 'feature_disabled';
    return record(skipped ? 'skipped' : 'failed', { code: err.code, message: err.message });
  }
}

/** The messages a booking or a reschedule plans by itself; a refusal is recorded, not thrown. */
export async function writeAutomatedPlans(
  tx: DomainContext,
  txQueue: MessageQueue,
  advisorId: string,
  appointment: AppointmentRow,
  plans: PlannedMessage[],
  advisor: AppointmentAdvisor,
): Promise<void> {
  for (const plan of plans) {
    await writePlannedMessage(tx, txQueue, advisorId, appointment, plan, {
      advisor,
      actor: AUTOMATION_ACTOR,
      source: 'automation',
      onRefusal: 'record',
      idempotencyKey: plannedMessageKey(appointment, plan.kind),
    });
  }
}
