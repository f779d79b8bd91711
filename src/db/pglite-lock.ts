// PGlite is PostgreSQL running inside this process, over the files of one directory, with no
// server to arbitrate: a second process that opens the same directory works on its own copy of
// the pages, and whichever writes last overwrites the other's changes. `create-admin` run beside
// a sandbox service said "admin … ready", the service never saw the account, and after a restart
// it was gone. PGlite writes a `postmaster.pid` but never checks it, so the directory is locked
// here: one process at a time, and the next is told which one holds it.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Inside the data directory, so that it goes with it (copied, removed) and PGlite ignores it. */
export const PGLITE_LOCK_FILE = 'wellness-whatsapp.lock';

export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dir} is in use by another process (pid ${pid}): stop it first, ` +
        'or set DATABASE_URL to share a PostgreSQL between processes. If no such process runs, ' +
        `remove ${path.join(dir, PGLITE_LOCK_FILE)}.`,
    );
  }
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Takes the directory's lock for this process, or throws DatabaseInUseError naming the process
 * that holds it. A lock left by a process that is gone (killed, crashed) is taken over; so is one
 * with this process's own pid (a container's service is pid 1 at every start). Returns the
 * release, which removes the file only while it is still this process's.
 */
export function lockPgliteDir(dir: string): () => void {
  const file = path.join(dir, PGLITE_LOCK_FILE);
  // Twice at most: once, and once more after removing a stale lock. Another process taking the
  // stale lock between the two is then found holding it.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (holderOf(file) === process.pid) unlinkSync(file);
        } catch {
          // Already gone (the directory removed): nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = holderOf(file);
      if (holder !== null && holder !== process.pid && running(holder))
        throw new DatabaseInUseError(dir, holder);
      try {
        unlinkSync(file);
      } catch (unlinkErr) {
        if ((unlinkErr as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkErr;
      }
    }
  }
  const holder = holderOf(file);
  throw new DatabaseInUseError(dir, holder ?? 0);
}
