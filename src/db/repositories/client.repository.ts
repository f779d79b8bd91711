// An advisor's clients as WhatsApp sees them: name, consent (opt-out) and unread count.
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { whatsappClient } from '../schema/index.js';

export type ClientRow = typeof whatsappClient.$inferSelect;

export async function findClient(db: DbOrTx, advisorId: string, phone: string): Promise<ClientRow | null> {
  // Read by every send (the opt-out check): built once per database handle.
  const statement = preparedOnce(db, 'ww_find_client', (d) =>
    d
      .select()
      .from(whatsappClient)
      .where(
        and(
          eq(whatsappClient.advisorId, sql.placeholder('advisorId')),
          eq(whatsappClient.phone, sql.placeholder('phone')),
        ),
      )
      .limit(1)
      .prepare('ww_find_client'),
  );
  const [row] = await statement.execute({ advisorId, phone });
  return row ?? null;
}

/**
 * The client's row, locked until the transaction ends: a consent change read from a message's edit
 * sees any keyword another transaction applies meanwhile (an arriving message holds the same lock,
 * taken by its upsert), so one change is audited once.
 */
export async function lockClient(db: DbOrTx, advisorId: string, phone: string): Promise<ClientRow | null> {
  const [row] = await db
    .select()
    .from(whatsappClient)
    .where(and(eq(whatsappClient.advisorId, advisorId), eq(whatsappClient.phone, phone)))
    .for('update');
  return row ?? null;
}

export async function isOptedOut(db: DbOrTx, advisorId: string, phone: string): Promise<boolean> {
  return (await findClient(db, advisorId, phone))?.optedOut ?? false;
}

export async function setOptOut(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  optedOut: boolean,
  source: string,
  at: Date,
): Promise<ClientRow> {
  const [row] = await db
    .insert(whatsappClient)
    .values({
      advisorId,
      phone,
      optedOut,
      optedOutAt: optedOut ? at : null,
      optSource: source,
      updatedAt: at,
    })
    .onConflictDoUpdate({
      target: [whatsappClient.advisorId, whatsappClient.phone],
      set: { optedOut, optedOutAt: optedOut ? at : null, optSource: source, updatedAt: at },
    })
    .returning();
  return row!;
}

/**
 * Records an outbound contact (name learnt from the sender, time of last message). The time only
 * moves forward: events are applied in any order, and an older message applied late must not pull
 * the conversation down the inbox (the outbox and inbound writes keep the greatest time too).
 */
export async function touchClientOutbound(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  name: string | null,
  at: Date,
) {
  await db
    .insert(whatsappClient)
    .values({ advisorId, phone, name, lastOutboundAt: at, updatedAt: at })
    .onConflictDoUpdate({
      target: [whatsappClient.advisorId, whatsappClient.phone],
      set: {
        name: sql`coalesce(${name}, ${whatsappClient.name})`,
        lastOutboundAt: sql`greatest(${whatsappClient.lastOutboundAt}, ${at.toISOString()}::timestamptz)`,
        updatedAt: at,
      },
    });
}
