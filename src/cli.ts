// The command line:
//   serve [--role all|api|worker]   the service (default)
//   migrate                         apply database migrations and exit
//   emulator [--port 8085]          the Evolution API emulator alone
//   rotate-keys                     re-seal stored credentials under the current ENCRYPTION_KEY
//   create-admin --email E (--password-stdin | --password P) [--name N]
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createLogger, safeMessage } from './logger.js';
import type { Logger } from 'pino';

const USAGE = `usage: wellness-whatsapp <command> [options]
  serve [--role all|api|worker]   run the service (default: API and workers in one process)
  migrate                         apply database migrations and exit
  emulator [--port 8085]          run the Evolution API emulator alone
  rotate-keys                     re-encrypt stored credentials under the current ENCRYPTION_KEY
  create-admin --email E --password-stdin [--name N]   create (or promote) a platform admin,
                                  reading the password from stdin (--password P also works,
                                  but shows it in the process list and shell history)
`;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`config error: ${problem}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function withDatabase<T>(
  config: Config,
  logger: Logger,
  fn: (db: import('./db/client.js').Database) => Promise<T>,
): Promise<T> {
  const { openDatabase } = await import('./db/client.js');
  const { runMigrations, logDataSteps } = await import('./db/migrate.js');
  const database = await openDatabase(config.database);
  try {
    logDataSteps(await runMigrations(database), logger);
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** The first line of a stream (a password piped in), without its line ending. */
async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: stream, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

const OPTIONS = {
  role: { type: 'string' },
  port: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Every option as it can be typed: `--role`, `-h`… */
const OPTION_WORDS = new Set(
  Object.entries(OPTIONS).flatMap(([name, option]) => [
    `--${name}`,
    ...('short' in option ? [`-${option.short}`] : []),
  ]),
);

async function main(): Promise<void> {
  const { positionals, values, tokens } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: OPTIONS,
    tokens: true,
  });
  const command = positionals[0] ?? 'serve';
  // Before --help: the emulator has options of its own, and `emulator --help` asks for those.
  if (command === 'emulator') {
    // Everything but the command word, wherever it stood, is the emulator's.
    const at = tokens.find((t) => t.kind === 'positional')!.index;
    const args = process.argv.slice(2);
    process.argv = [process.argv[0]!, process.argv[1]!, ...args.slice(0, at), ...args.slice(at + 1)];
    await import('../emulator/main.js');
    return;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Not strict above (the emulator's own options pass through), so a mistyped option such as
  // `--rol worker` would silently start the default role.
  // Named as typed (`-x`, `--rol`), each once.
  const unknown = new Set(
    tokens.flatMap((t) => (t.kind === 'option' && !Object.hasOwn(OPTIONS, t.name) ? [t.rawName] : [])),
  );
  if (unknown.size > 0) {
    process.stderr.write(`unknown option ${[...unknown].join(', ')}\n${USAGE}`);
    process.exit(1);
  }
  // Not strict either, an option that takes a value given none reads as `true`: `serve --role`
  // said 'unknown role "true"', and `create-admin --password` a schema error about a boolean.
  // One given the next option as its value (`--role --email x`) is the same mistake; any other
  // value is taken, a password starting with "-" included.
  const valueless = new Set(
    tokens.flatMap((t) =>
      t.kind === 'option' &&
      Object.hasOwn(OPTIONS, t.name) &&
      OPTIONS[t.name as keyof typeof OPTIONS].type === 'string' &&
      (t.value === undefined || (!t.inlineValue && OPTION_WORDS.has(t.value.split('=')[0]!)))
        ? [t.rawName]
        : [],
    ),
  );
  if (valueless.size > 0) {
    const names = [...valueless].join(', ');
    process.stderr.write(`option ${names} needs a value\n${USAGE}`);
    process.exit(1);
  }
  const config = configOrExit();
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
    case 'migrate':
      await withDatabase(config, logger, async () => undefined);
      logger.info('migrations applied');
      return;
    case 'rotate-keys': {
      const { SecretBox } = await import('./domain/crypto/secret-box.js');
      const { rotateKeys } = await import('./domain/crypto/rotate-keys.js');
      const box = new SecretBox(config.encryption.key, config.encryption.oldKeys);
      const report = await withDatabase(config, logger, (database) =>
        rotateKeys(database.db, box, (done, total) => {
          if (done % 100 === 0 || done === total) process.stdout.write(`checked ${done}/${total}\r`);
        }),
      );
      process.stdout.write(
        `\nscanned ${report.scanned} advisors, re-sealed ${report.resealed} under key ${box.currentKeyId}` +
          (report.skipped > 0
            ? `, skipped ${report.skipped} changed meanwhile (run again to check them)\n`
            : '\n'),
      );
      return;
    }
    case 'create-admin': {
      const email = values.email as string | undefined;
      const password = values['password-stdin']
        ? await readFirstLine(process.stdin)
        : (values.password as string | undefined);
      if (!email || !password)
        throw new Error(
          values['password-stdin'] && email
            ? 'create-admin read no password on stdin (pipe it in: echo "$PASSWORD" | … --password-stdin)'
            : 'create-admin needs --email and --password-stdin (or --password)',
        );
      const { createAuth } = await import('./auth/auth.js');
      const { createAdmin } = await import('./auth/admin.js');
      const id = await withDatabase(config, logger, (database) =>
        createAdmin(
          createAuth({ db: database.db, secret: config.authSecret, baseUrl: config.publicBaseUrl }),
          database.db,
          {
            email,
            password,
            name: (values.name as string | undefined) ?? 'Admin',
          },
        ),
      );
      process.stdout.write(`admin ${email} (${id}) ready\n`);
      return;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}`);
      process.exit(2);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${safeMessage(err)}\n`);
  process.exit(1);
});
