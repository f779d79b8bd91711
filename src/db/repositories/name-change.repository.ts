// The marks of advisors whose planned messages owe a render after a change of their account name
// (`advisor_name_change`, written by a trigger on the name's own UPDATE: migration 0024).
import { asc, eq, lt } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { advisorNameChange } from '../schema/index.js';

/** Whether the advisor's name changed since their plans were last rendered. */
export async function hasNameChangeMark(db: DbOrTx, advisorId: string): Promise<boolean> {
  const rows = await db
    .select({ advisorId: advisorNameChange.advisorId })
    .from(advisorNameChange)
    .where(eq(advisorNameChange.advisorId, advisorId))
    .limit(1);
  return rows.length > 0;
}

/**
 * Deletes the advisor's mark; answers whether there was one. In the render's transaction: the row
 * stays locked until it commits, so a second change of name meanwhile (its trigger writing the mark
 * again) waits for it, and then leaves a mark for the next render.
 */
export async function takeNameChangeMark(db: DbOrTx, advisorId: string): Promise<boolean> {
  const rows = await db
    .delete(advisorNameChange)
    .where(eq(advisorNameChange.advisorId, advisorId))
    .returning({ advisorId: advisorNameChange.advisorId });
  return rows.length > 0;
}

/** The advisors with a mark written before `before`, oldest first (the sweeper's list). */
export async function listNameChangeMarks(db: DbOrTx, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .select({ advisorId: advisorNameChange.advisorId })
    .from(advisorNameChange)
    .where(lt(advisorNameChange.changedAt, before))
    .orderBy(asc(advisorNameChange.changedAt))
    .limit(limit);
  return rows.map((r) => r.advisorId);
}
