// After an advisor edits a template (or deletes an override, which brings the built-in back),
// changes their locale (the language, so the template each message resolves to, and how dates and
// times are written) or their account name (`{nombre_asesor}`), the appointment messages already
// planned are rendered again, so that a reminder planned weeks ahead goes out with the words the
// advisor has now. Runs inside the change's transaction (the name: right after better-auth's,
// rename-plans.ts), under the advisor's exclusive template lock (lockAdvisorTemplates).
//
// Which messages: the advisor's automated ones (`source: automation`) about a live appointment, of
// its current version, still `scheduled` or `queued` and not awaiting the echo of an attempt that
// may be on the client's phone; for a template change only those rendered from the changed
// template's key and language, for a change of locale or name every one. A message
// sent by hand from a template is left as it was: its sender chose the words and the values at
// that moment, and the values are not stored, so there is nothing to render it from again.
//
// How: exactly as planning renders them (plannedContent through resolveContent), from the
// appointment's current fields and the advisor's current name and locale, every message before any
// is written (a message the new body cannot render refuses the edit having written nothing). Then
// the rows and their audit entries go in batches, one UPDATE and one INSERT each: an advisor's
// thousands of planned reminders made thousands of statements apiece, and their bookings waited
// on the template lock all that time. The UPDATE is conditional like the worker's claim, so a
// message claimed meanwhile keeps its words (and gets no entry).
//
// The audit log records message content per message (`message.schedule` holds what was planned):
// each rewritten message gets its own `message.rerender` entry with the new text, so what a
// message said at any time stays readable from its own entries, without replaying template
// bodies against appointment fields that may have changed since.
import { insertAudits, type AuditEntry } from '../../db/repositories/audit.repository.js';
import type { AppointmentRow } from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import {
  listPlannedMessages,
  rewritePlannedMessages,
  type RenderedContent,
} from '../../db/repositories/planned-message.repository.js';
import { AppError } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { messageView } from '../messages/message-view.js';
import { resolveContent, type ResolvedContent, type TemplateLookup } from '../messages/resolve-content.js';
import type { SendOptions } from '../messages/send-message.js';
import { isBuiltinTemplateKey } from '../templates/index.js';
import { resolveTemplateForSend, type TemplateForSend } from '../templates/resolve-template-for-send.js';
import { loadAppointmentAdvisor, plannedContent, type AppointmentAdvisor } from './appointment-messages.js';
import { APPOINTMENT_MESSAGE_KINDS, type AppointmentMessageKind } from './plan-appointment-messages.js';

/** Rows per UPDATE and per audit INSERT (7 parameters a row: 3,500, far below PostgreSQL's 65,535). */
const WRITE_BATCH = 500;

export interface TemplateChange {
  action: 'template.create' | 'template.update' | 'template.delete';
  /** The row created, edited or deleted; for the first edit of a built-in, the override it created. */
  templateId: string;
  key: string;
  language: string;
}

/** The advisor's locale changed (PUT /api/whatsapp/config): the language and the date format may. */
export interface LocaleChange {
  action: 'settings.update';
  locale: { from: string; to: string };
}

/** The advisor's account name changed (better-auth's update-user): `{nombre_asesor}`. */
export interface NameChange {
  action: 'account.update';
}

/** Why planned messages are rendered again: `cause.action` in their `message.rerender` entries. */
export type PlannedWordsChange = TemplateChange | LocaleChange | NameChange;

export interface RerenderOptions {
  /**
   * A message the change would push over WhatsApp's limit: `refuse` (the default) throws the 422
   * naming it, so the caller's transaction writes nothing; `keep` leaves it with its words and
   * logs it, for a change already committed elsewhere (the name, written by better-auth).
   */
  unrenderable?: 'refuse' | 'keep';
}

/** Renders the change's planned messages again; answers how many were rewritten. */
export async function rerenderPlannedMessages(
  tx: DomainContext,
  advisorId: string,
  change: PlannedWordsChange,
  actor: SendOptions['actor'],
  options: RerenderOptions = {},
): Promise<number> {
  // The wall clock, as for a cancel: an attempt's echo wait is set by the worker's clock.
  const now = new Date();
  const rewrites = await plannedRewrites(tx, advisorId, change, options, now, (advisor) => advisor);
  let rewritten = 0;
  for (let i = 0; i < rewrites.length; i += WRITE_BATCH) {
    const rows = await rewritePlannedMessages(tx.db, advisorId, rewrites.slice(i, i + WRITE_BATCH), now);
    // A row claimed by the worker (or cancelled) since the read is not among them: it keeps its words.
    await insertAudits(
      tx.db,
      advisorId,
      rows.map((row) => rerenderEntry(row, change, actor)),
    );
    for (const row of rows) {
      await tx.events.publish(advisorId, { type: 'message', data: messageView(row) as never });
    }
    rewritten += rows.length;
  }
  return rewritten;
}

/**
 * Refuses a name a planned message could not be written with (the 422 of `render`, naming the
 * message), writing nothing. better-auth saves the name in its own transaction, and once saved a
 * refusal could not undo it, so the auth route asks this before passing the call on
 * (advisor-rename.ts).
 */
export async function assertPlansRenderWithName(
  tx: DomainContext,
  advisorId: string,
  name: string,
): Promise<void> {
  await plannedRewrites(tx, advisorId, { action: 'account.update' }, {}, new Date(), (advisor) => ({
    ...advisor,
    name,
  }));
}

/** Every planned message of the change rendered again, those whose words differ. */
async function plannedRewrites(
  tx: DomainContext,
  advisorId: string,
  change: PlannedWordsChange,
  options: RerenderOptions,
  now: Date,
  advisorAs: (stored: AppointmentAdvisor) => AppointmentAdvisor,
): Promise<{ id: string; content: RenderedContent }[]> {
  // The automation only ever sends built-in keys (TEMPLATE_OF_KIND), overridden or not.
  if (isTemplateChange(change) && !isBuiltinTemplateKey(change.key)) return [];
  const planned = await listPlannedMessages(tx.db, advisorId, isTemplateChange(change) ? change : 'any', now);
  if (planned.length === 0) return [];
  const advisor = advisorAs(await loadAppointmentAdvisor(tx, advisorId));
  const lookupTemplate = templateLookupOnce();
  const rewrites: { id: string; content: RenderedContent }[] = [];
  for (const { message, appointment } of planned) {
    // Not sent anyway (the send-time guard skips it): nothing to rewrite.
    if (!appointment || appointment.status === 'cancelled') continue;
    if (message.appointmentVersion !== appointment.version || !isKind(message.purpose)) continue;

    let content: ResolvedContent;
    try {
      content = await render(tx, advisorId, message, appointment, advisor, lookupTemplate, change);
    } catch (err) {
      if (options.unrenderable !== 'keep' || !(err instanceof AppError)) throw err;
      tx.logger.warn(
        { advisorId, messageId: message.id, cause: change.action, err: err.message },
        'planned message keeps its words: it does not render after the change',
      );
      continue;
    }
    const rendered = {
      text: content.text!,
      templateId: content.template!.id,
      templateKey: content.template!.key,
      templateLanguage: content.template!.language,
    };
    if (sameContent(message, rendered)) continue; // only the name changed, say
    rewrites.push({ id: message.id, content: rendered });
  }
  return rewrites;
}

function rerenderEntry(row: MessageRow, change: PlannedWordsChange, actor: SendOptions['actor']): AuditEntry {
  return {
    actorType: actor.type,
    actorId: actor.id,
    action: 'message.rerender',
    messageId: row.id,
    phone: row.phone,
    content: {
      type: row.type,
      text: row.text,
      template: row.templateKey,
      templateId: row.templateId,
      language: row.templateLanguage,
      scheduledAt: row.scheduledAt?.toISOString() ?? null,
      cause: causeOf(change),
    },
  };
}

function causeOf(change: PlannedWordsChange): Record<string, unknown> {
  if (isTemplateChange(change)) return { action: change.action, templateId: change.templateId };
  if (change.action === 'settings.update') return { action: change.action, locale: change.locale };
  return { action: change.action, fields: ['name'] };
}

const isTemplateChange = (change: PlannedWordsChange): change is TemplateChange =>
  change.action.startsWith('template.');

/**
 * Each template the re-render names, looked up once: the edit holds the advisor's exclusive
 * template lock for the whole transaction, so none changes between two messages, and one lookup
 * per message (its language, its row) was most of the time bookings waited for the lock.
 */
function templateLookupOnce(): TemplateLookup {
  const found = new Map<string, Promise<TemplateForSend>>();
  return (ctx, advisorId, ref) => {
    const key = JSON.stringify(ref);
    let template = found.get(key);
    if (!template) found.set(key, (template = resolveTemplateForSend(ctx, advisorId, ref)));
    return template;
  };
}

const sameContent = (message: MessageRow, rendered: RenderedContent): boolean =>
  message.text === rendered.text &&
  message.templateId === rendered.templateId &&
  message.templateKey === rendered.templateKey &&
  message.templateLanguage === rendered.templateLanguage;

const isKind = (purpose: string): purpose is AppointmentMessageKind =>
  (APPOINTMENT_MESSAGE_KINDS as readonly string[]).includes(purpose);

/** What a refusal names: the change, and the request field that made it. */
const REFUSED: Record<PlannedWordsChange['action'], { what: string; field: string }> = {
  'template.create': { what: 'this template', field: 'body' },
  'template.update': { what: 'this template', field: 'body' },
  'template.delete': { what: 'this template', field: 'body' },
  'settings.update': { what: 'this locale', field: 'settings.locale' },
  'account.update': { what: 'this name', field: 'name' },
};

/**
 * The message as planning would write it now. Templates are validated when saved (known variables
 * only, none the automation cannot fill; a value the booking left out has its stand-in), so what
 * can still fail is the length: a body within WhatsApp's limit that this appointment's values (or
 * the advisor's new name, or the template of their new language) push over it. The change is then
 * refused, naming the message, rather than leaving that message with the old words or failing it
 * without the advisor knowing.
 */
async function render(
  tx: DomainContext,
  advisorId: string,
  message: MessageRow,
  appointment: AppointmentRow,
  advisor: AppointmentAdvisor,
  lookupTemplate: TemplateLookup,
  change: PlannedWordsChange,
): Promise<ResolvedContent> {
  const kind = message.purpose as AppointmentMessageKind;
  try {
    return await resolveContent(tx, advisorId, plannedContent(kind, appointment, advisor), {
      automated: true,
      lookupTemplate,
    });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const { what, field } = REFUSED[change.action];
    throw new AppError(
      'validation_failed',
      `The ${kind.replace('_', '-')} planned for appointment "${appointment.externalId}" (message ${message.id}) could not be written with ${what}: ${err.message}`,
      {
        fields: [{ field, message: `does not render for a planned message: ${err.message}` }],
        messageId: message.id,
        externalId: appointment.externalId,
      },
    );
  }
}
