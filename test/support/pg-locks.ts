// Forcing an interleaving of two transactions on PostgreSQL instead of hoping for it: one party
// is stopped inside its transaction, past the point that matters, by a row lock another session
// holds (as the worker's claim or an inbound message's write would); the other is sent, and seen
// in pg_stat_activity waiting (for the template lock, a row), or answering without waiting, before
// the first is let go. PostgreSQL only: PGlite has one connection, so no race to force.
import type { Client } from 'pg';
import type { TestService } from './service.js';
import { waitFor } from './wait.js';

export interface HeldRow {
  /** Commits and closes; again (the test's finally) does nothing. */
  release(): Promise<void>;
}

export interface LockRace {
  /** A session of its own on the service's database. */
  connect(): Promise<Client>;
  /** Another session's transaction, holding what the statement locks until the test lets it go. */
  holdRow(statement: string, params: unknown[]): Promise<HeldRow>;
  /** A message row, locked as the worker locks it to claim it. */
  holdMessage(id: string): Promise<HeldRow>;
  /** What this database's sessions wait for: `advisory` is the template lock, the others rows. */
  lockWaits(): Promise<string[]>;
  untilWaitingForRow(what: string): Promise<void>;
  /**
   * Until the second party has answered or is stopped too: by the lock that should stop it, or,
   * were that lock missing, maybe by a row the first party holds. Either way the first is let go
   * after, and the outcome shows whether the second saw what the first did.
   */
  untilAnsweredOrStopped(flight: { answered: boolean }, what: string): Promise<void>;
  close(): Promise<void>;
}

export async function lockRace(service: TestService): Promise<LockRace> {
  const location = service.database.location;
  if (location.kind !== 'postgres') throw new Error('a lock race needs PostgreSQL');
  const { default: pg } = await import('pg');
  const connect = async () => {
    const client = new pg.Client({ connectionString: location.url });
    await client.connect();
    return client;
  };
  const observer = await connect();

  const holdRow = async (statement: string, params: unknown[]): Promise<HeldRow> => {
    const session = await connect();
    await session.query('begin');
    await session.query(statement, params);
    let released: Promise<void> | null = null;
    return {
      release: () =>
        (released ??= (async () => {
          await session.query('commit').catch(() => undefined);
          await session.end();
        })()),
    };
  };

  const lockWaits = async () => {
    const { rows } = await observer.query<{ wait_event: string }>(
      `select wait_event from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return rows.map((r) => r.wait_event);
  };

  return {
    connect,
    holdRow,
    holdMessage: (id) => holdRow('select id from whatsapp_message where id = $1 for update', [id]),
    lockWaits,
    untilWaitingForRow: async (what) => {
      await waitFor(lockWaits, (w) => w.some((e) => e === 'transactionid' || e === 'tuple'), { what });
    },
    untilAnsweredOrStopped: async (flight, what) => {
      // The first party waits on the held row: one wait already.
      await waitFor(async () => flight.answered || (await lockWaits()).length >= 2, Boolean, {
        what: `${what} waiting (or answered)`,
      });
    },
    close: () => observer.end(),
  };
}

export interface Flight<T> {
  answered: boolean;
  answer: Promise<T>;
}

/** A request sent now, and whether it has answered. */
export function inFlight<T>(request: Promise<T>): Flight<T> {
  const flight = { answered: false, answer: request };
  void request.finally(() => (flight.answered = true)).catch(() => undefined);
  return flight;
}
