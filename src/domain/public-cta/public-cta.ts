// The "chat on WhatsApp" button of an advisor's public profile: the wa.me link with the
// advisor's pre-filled message, shown only when the advisor has a linked number, the platform
// enabled the feature, and the advisor switched it on (public-button-state.ts), and only while no
// platform admin's ban of the advisor holds: a banned advisor does not advertise on the platform.
import { eq } from 'drizzle-orm';
import { findConfigBySlug } from '../../db/repositories/whatsapp-config.repository.js';
import { ctaClick, user } from '../../db/schema/index.js';
import { notFound } from '../app-error.js';
import { isBanned } from '../account-ban.js';
import { nowOf, type DomainContext } from '../context.js';
import { readSettings } from '../instances/advisor-settings.js';
import { effectiveFeatures } from '../instances/features.js';
import { buildWaMeLink } from '../phone/index.js';
import { templateLanguageForLocale, type TemplateLanguage } from '../templates/template-language.js';
import { publicButtonState } from './public-button-state.js';

export interface PublicCta {
  advisorId: string;
  name: string;
  phone: string;
  message: string;
  url: string;
  /** The advisor's language, as their templates and default message read it: embed.js labels its button in it. */
  language: TemplateLanguage;
}

export async function findPublicCta(
  ctx: Pick<DomainContext, 'db' | 'bounds' | 'featureDefaults' | 'now'>,
  slug: string,
): Promise<PublicCta> {
  const row = await findConfigBySlug(ctx.db, slug);
  // One answer for every reason it is not available: a public page reveals nothing more.
  const unavailable = notFound('WhatsApp contact for this advisor');
  if (!row?.phoneNumber) throw unavailable;
  const settings = readSettings(row.settings, ctx.bounds);
  const features = effectiveFeatures(ctx.featureDefaults, row.features);
  if (!publicButtonState({ phoneNumber: row.phoneNumber, features, settings }).visible) throw unavailable;
  const [owner] = await ctx.db
    .select({ name: user.name, banned: user.banned, banExpires: user.banExpires })
    .from(user)
    .where(eq(user.id, row.advisorId))
    .limit(1);
  // Banned (better-auth's admin plugin): the same 404 as an unknown advisor, until the ban
  // expires or is lifted (the ban's reason is the platform's business, not the visitor's).
  if (!owner || isBanned(owner, nowOf(ctx))) throw unavailable;
  return {
    advisorId: row.advisorId,
    name: owner.name,
    phone: row.phoneNumber,
    message: settings.ctaMessage,
    url: buildWaMeLink(row.phoneNumber, settings.ctaMessage),
    language: templateLanguageForLocale(settings.locale),
  };
}

export async function recordCtaClick(ctx: Pick<DomainContext, 'db'>, advisorId: string): Promise<void> {
  await ctx.db.insert(ctaClick).values({ advisorId });
}
