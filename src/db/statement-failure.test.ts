import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { failedOnItsRows } from './statement-failure.js';

/** The error PGlite raises for `sql`, as the server reports it. */
async function errorOf(sql: string): Promise<unknown> {
  const db = new PGlite();
  try {
    await db.query(sql);
  } catch (err) {
    return err;
  } finally {
    await db.close();
  }
  throw new Error(`${sql} did not fail`);
}

describe('failedOnItsRows', () => {
  it("is true for the server refusing the statement's values, also wrapped as Drizzle wraps it", async () => {
    const overflow = await errorOf('select 2147483647::int + 1');
    expect(failedOnItsRows(overflow)).toBe(true);
    expect(failedOnItsRows(new Error('Failed query: update …', { cause: overflow }))).toBe(true);
    expect(
      failedOnItsRows(Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' })),
    ).toBe(true);
  });

  it('is false for the connection or the server failing, and for errors that never reached it', () => {
    const server = (code: string) => Object.assign(new Error(code), { code, severity: 'FATAL' });
    for (const code of ['57P01', '08006', '53300', '58030', 'XX000'])
      expect(failedOnItsRows(server(code))).toBe(false);
    // A socket's code is no SQLSTATE, though EPIPE has five capitals.
    for (const code of ['EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'])
      expect(failedOnItsRows(Object.assign(new Error(code), { code }))).toBe(false);
    expect(failedOnItsRows(new Error('PGlite is closed'))).toBe(false);
    expect(failedOnItsRows('not an error')).toBe(false);
  });
});
