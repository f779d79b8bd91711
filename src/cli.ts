// The command line: `serve` (default; --role all|api|worker), `migrate`, `emulator`.
// Later commands (rotate-keys, create-admin) register here too.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './logger.js';

const USAGE = `usage: wellness-whatsapp <command> [options]
  serve [--role all|api|worker]   run the service (default: API and workers in one process)
  migrate                         apply database migrations and exit
  emulator [--port 8085]          run the Evolution API emulator alone
`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: { role: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean' } },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`config error: ${problem}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  switch (command) {
    case 'serve': {
      const role = (values.role as string | undefined) ?? 'all';
      if (!['all', 'api', 'worker'].includes(role))
        throw new Error(`unknown role "${role}": use all, api or worker`);
      const { serve } = await import('./main.js');
      await serve(config, logger, role as 'all' | 'api' | 'worker');
      return;
    }
    case 'migrate': {
      const { openDatabase } = await import('./db/client.js');
      const { runMigrations } = await import('./db/migrate.js');
      const db = await openDatabase(config.database);
      await runMigrations(db);
      await db.close();
      logger.info('migrations applied');
      return;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}`);
      process.exit(2);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
