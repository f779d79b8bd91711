// whatsapp_config rows. Every function takes the advisor id first (STYLE.md, tenancy), except the
// two lookups that establish the tenant from outside input (webhooks name an instance; the
// public page names a slug) and the system-wide health check scan.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { connectionEvent, user, whatsappConfig } from '../schema/index.js';

export type ConfigRow = typeof whatsappConfig.$inferSelect;
export type ConfigPatch = Partial<Omit<typeof whatsappConfig.$inferInsert, 'advisorId' | 'createdAt'>>;

export async function findConfig(db: DbOrTx, advisorId: string): Promise<ConfigRow | null> {
  // Read by every send and most requests: built once per database handle.
  const statement = preparedOnce(db, 'ww_find_config', (d) =>
    d
      .select()
      .from(whatsappConfig)
      .where(eq(whatsappConfig.advisorId, sql.placeholder('advisorId')))
      .limit(1)
      .prepare('ww_find_config'),
  );
  const [row] = await statement.execute({ advisorId });
  return row ?? null;
}

function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return base || 'asesor';
}

/** The advisor's row, created on first use with a unique public slug derived from their name. */
export async function ensureConfig(db: DbOrTx, advisorId: string): Promise<ConfigRow> {
  const existing = await findConfig(db, advisorId);
  if (existing) return existing;
  const [owner] = await db.select({ name: user.name }).from(user).where(eq(user.id, advisorId)).limit(1);
  const base = slugify(owner?.name ?? 'asesor');
  for (let attempt = 0; attempt < 20; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${Math.random().toString(36).slice(2, 6)}`;
    const inserted = await db
      .insert(whatsappConfig)
      .values({ advisorId, publicSlug: slug })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) return inserted[0];
    // Either another request created this advisor's row, or the slug is taken: tell which.
    const raced = await findConfig(db, advisorId);
    if (raced) return raced;
  }
  throw new Error('could not allocate a public slug');
}

/**
 * The advisor's row, locked until the transaction ends (`SELECT … FOR UPDATE`): a change decided
 * on this row cannot be overwritten by another writer that read it at the same time. Only
 * meaningful on a transaction handle.
 */
export async function lockConfig(tx: DbOrTx, advisorId: string): Promise<ConfigRow | null> {
  const [row] = await tx
    .select()
    .from(whatsappConfig)
    .where(eq(whatsappConfig.advisorId, advisorId))
    .limit(1)
    .for('update');
  return row ?? null;
}

export async function updateConfig(db: DbOrTx, advisorId: string, patch: ConfigPatch): Promise<ConfigRow> {
  const [row] = await db
    .update(whatsappConfig)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(whatsappConfig.advisorId, advisorId))
    .returning();
  if (!row) throw new Error(`no whatsapp_config row for advisor ${advisorId}`);
  return row;
}

/**
 * Sets (boolean) or clears (`null`: back to the server default) some feature overrides, keeping
 * the others, in one statement (jsonb `-` and `||` in the UPDATE itself): two admins switching different features at once both stick,
 * where reading the row and writing back a merged copy would let the later write drop the
 * earlier change.
 */
export async function mergeFeatureOverrides(
  db: DbOrTx,
  advisorId: string,
  overrides: Record<string, boolean | null | undefined>,
): Promise<ConfigRow> {
  const set: Record<string, boolean> = {};
  let features = sql`${whatsappConfig.features}`;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) features = sql`(${features} - ${key}::text)`;
    else if (typeof value === 'boolean') set[key] = value;
  }
  const [row] = await db
    .update(whatsappConfig)
    .set({
      features: sql`${features} || ${JSON.stringify(set)}::jsonb`,
      updatedAt: new Date(),
    })
    .where(eq(whatsappConfig.advisorId, advisorId))
    .returning();
  if (!row) throw new Error(`no whatsapp_config row for advisor ${advisorId}`);
  return row;
}

/**
 * Replaces the alert only while it is still `from` (null: no alert), so a newer alert (a logout)
 * is never overwritten and two workers racing record one change. Null when nothing changed.
 */
export async function replaceAlert(
  db: DbOrTx,
  advisorId: string,
  from: string | null,
  to: string | null,
): Promise<ConfigRow | null> {
  const [row] = await db
    .update(whatsappConfig)
    .set({ alert: to, updatedAt: new Date() })
    .where(
      and(
        eq(whatsappConfig.advisorId, advisorId),
        from === null ? isNull(whatsappConfig.alert) : eq(whatsappConfig.alert, from),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Stores instance credentials only if none are stored yet, then returns what is stored: every
 * concurrent connect converges on the same instance name and token.
 */
export async function claimInstanceCredentials(
  db: DbOrTx,
  advisorId: string,
  creds: { instanceName: string; instanceTokenEnc: string; webhookSecretEnc: string },
): Promise<ConfigRow> {
  await db
    .update(whatsappConfig)
    .set({ ...creds, updatedAt: new Date() })
    .where(and(eq(whatsappConfig.advisorId, advisorId), isNull(whatsappConfig.instanceTokenEnc)));
  return (await findConfig(db, advisorId))!;
}

/**
 * Swaps the instance token for another, only while the row still holds the one read (`from`): a
 * remove that cleared the credentials meanwhile wins, and the row is not given back a token with
 * no instance name or webhook secret. False when the row changed.
 */
export async function replaceInstanceToken(
  db: DbOrTx,
  advisorId: string,
  from: string,
  to: string,
): Promise<boolean> {
  const replaced = await db
    .update(whatsappConfig)
    .set({ instanceTokenEnc: to, updatedAt: new Date() })
    .where(and(eq(whatsappConfig.advisorId, advisorId), eq(whatsappConfig.instanceTokenEnc, from)))
    .returning({ advisorId: whatsappConfig.advisorId });
  return replaced.length > 0;
}

/** Tenant lookup for webhooks: the instance name in the body is all we know until it is verified. */
export async function findConfigByInstanceName(db: DbOrTx, instanceName: string): Promise<ConfigRow | null> {
  const [row] = await db
    .select()
    .from(whatsappConfig)
    .where(eq(whatsappConfig.instanceName, instanceName))
    .limit(1);
  return row ?? null;
}

/** Tenant lookup for the public profile page. */
export async function findConfigBySlug(db: DbOrTx, slug: string): Promise<ConfigRow | null> {
  const [row] = await db.select().from(whatsappConfig).where(eq(whatsappConfig.publicSlug, slug)).limit(1);
  return row ?? null;
}

/** System scan for the health check: every advisor we believe is connected. */
export async function listConnectedConfigs(db: DbOrTx): Promise<ConfigRow[]> {
  return db.select().from(whatsappConfig).where(eq(whatsappConfig.status, 'connected'));
}

export async function recordConnectionEvent(
  db: DbOrTx,
  advisorId: string,
  status: string,
  reason: string | null,
): Promise<void> {
  await db.insert(connectionEvent).values({ advisorId, status, reason });
}

export async function listConnectionEvents(db: DbOrTx, advisorId: string, since: Date, until: Date) {
  return db
    .select({ status: connectionEvent.status, reason: connectionEvent.reason, at: connectionEvent.at })
    .from(connectionEvent)
    .where(
      and(
        eq(connectionEvent.advisorId, advisorId),
        sql`${connectionEvent.at} >= ${since}`,
        sql`${connectionEvent.at} < ${until}`,
      ),
    )
    .orderBy(connectionEvent.at);
}

/**
 * The advisor's last connection change before `before`: the state a range starting there began
 * in, or null when nothing was recorded yet. One step back along connection_event_advisor_at_idx;
 * of two changes at the same instant the later written (higher id) is the state that held.
 */
export async function lastConnectionEventBefore(db: DbOrTx, advisorId: string, before: Date) {
  const [row] = await db
    .select({ status: connectionEvent.status, reason: connectionEvent.reason, at: connectionEvent.at })
    .from(connectionEvent)
    .where(and(eq(connectionEvent.advisorId, advisorId), sql`${connectionEvent.at} < ${before}`))
    .orderBy(desc(connectionEvent.at), desc(connectionEvent.id))
    .limit(1);
  return row ?? null;
}

/**
 * What a status change was decided on. Each field given makes the write lose (null) when the row
 * no longer has that value; a field left out is not checked.
 */
export interface DecidedOn {
  status?: string;
  /** A pause set between the read and this write must not be overwritten. */
  alert?: string | null;
  /**
   * The write also loses when the connection was removed (or re-created) meanwhile. The status
   * alone cannot tell: a removal puts it back to not_configured, the very status a first
   * connect's QR is decided on.
   */
  instanceName?: string;
}

/**
 * Applies a status change, and says whether the status actually moved (`changed`, for the
 * history). The check is part of the UPDATE, so two writers racing to the same status record one
 * transition, not two. With `decidedOn`, null means another writer got there first and the caller
 * decides again from the new row.
 */
export async function transitionConfig(
  db: DbOrTx,
  advisorId: string,
  patch: ConfigPatch & { status: string },
  decidedOn: DecidedOn = {},
): Promise<{ row: ConfigRow; changed: boolean } | null> {
  const { status: from, alert: alertFrom, instanceName: instanceFrom } = decidedOn;
  const still = and(
    from === undefined ? undefined : eq(whatsappConfig.status, from),
    instanceFrom === undefined ? undefined : eq(whatsappConfig.instanceName, instanceFrom),
    alertFrom === undefined
      ? undefined
      : alertFrom === null
        ? isNull(whatsappConfig.alert)
        : eq(whatsappConfig.alert, alertFrom),
  );
  const [changed] = await db
    .update(whatsappConfig)
    .set({ ...patch, updatedAt: new Date() })
    .where(
      and(eq(whatsappConfig.advisorId, advisorId), sql`${whatsappConfig.status} <> ${patch.status}`, still),
    )
    .returning();
  if (changed) return { row: changed, changed: true };
  const [same] = await db
    .update(whatsappConfig)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(whatsappConfig.advisorId, advisorId), still))
    .returning();
  return same ? { row: same, changed: false } : null;
}
