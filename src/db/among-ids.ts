// The condition of a batched delete: "this row's id is among those the subquery picked".
import { sql, type Column, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * `id = any(array(subquery))`, not `id in (subquery)`: for `in`, PostgreSQL plans a hash semi
 * join that reads the whole table to find the batch's rows, in every batch; the array is computed
 * once and its ids looked up through the primary key. Measured with EXPLAIN ANALYZE over 500,000
 * rows, a batch of 5,000: webhook_event 146 ms against 22 ms, audit_log with nothing to delete
 * 104 ms against 5 ms.
 */
export function amongIds(id: Column, picked: SQLWrapper): SQL {
  return sql`${id} = any(array(${picked}))`;
}
