// The send pipeline's hot statements, built once per database handle. Drizzle then skips building
// the SQL text on every call (a fifth of the worker's CPU went there), and node-postgres sends a
// named statement that PostgreSQL parses once per connection instead of once per message.
// Values go in as placeholders, never as constants captured when the statement was built. The
// statements shared between concurrent callers (coalesce.ts) keep their coalescer here too.
import type { DbOrTx } from './client.js';

const statements = new WeakMap<object, Map<string, unknown>>();

export function preparedOnce<T>(db: DbOrTx, name: string, build: (db: DbOrTx) => T): T {
  let byName = statements.get(db);
  if (!byName) {
    byName = new Map();
    statements.set(db, byName);
  }
  let statement = byName.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    byName.set(name, statement);
  }
  return statement;
}
