// CLI: `tsx emulator/main.ts --port 8085 [--api-key KEY] [--fast]` (or `npm run emulator -- --port 8085`).
// Without --fast it keeps the real gateway's timings (5 s create, 45 s QRs, 5 s first webhook retry).
// Without a key it makes one up and prints it: a fixed default would be a key everybody knows.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import { fastTimings } from './core/options.js';
import { startEmulator, type EmulatorOptions } from './server.js';

// Reached as `npm run emulator --`, `tsx emulator/main.ts` or the service's `emulator` command.
const USAGE = `Usage: emulator [--port 8085] [--host 127.0.0.1] [--api-key KEY] [--fast]
       [--server-url URL] [--timezone America/Sao_Paulo] [--expose-apikey] [--no-receipts] [--log]
Run it with npm run emulator -- [options], or wellness-whatsapp emulator [options].
The API key may also come from EMULATOR_API_KEY; with neither, a random one is generated and printed.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8085' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      fast: { type: 'boolean', default: false },
      'server-url': { type: 'string' },
      timezone: { type: 'string' },
      'expose-apikey': { type: 'boolean', default: false },
      'no-receipts': { type: 'boolean', default: false },
      log: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const givenKey = values['api-key'] ?? process.env.EMULATOR_API_KEY;
  const apiKey = givenKey || randomBytes(16).toString('hex');
  const port = Number(values.port);
  if (values.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const options: EmulatorOptions = {
    ...(values.fast ? fastTimings : {}),
    apiKey,
    host: values.host,
    port,
    logger: values.log,
    exposeApiKeyInWebhooks: values['expose-apikey'],
    ...(values['server-url'] ? { serverUrl: values['server-url'] } : {}),
    ...(values.timezone ? { timezone: values.timezone } : {}),
    ...(values['no-receipts'] ? { statusDelaysMs: null } : {}),
  };
  const emulator = await startEmulator(options);
  console.log(`Evolution API emulator listening on ${emulator.url}${values.fast ? ' (fast timings)' : ''}`);
  console.log(`Control API: ${emulator.url}/_emulator/instances`);
  if (!givenKey)
    console.log(`Global API key (generated; choose one with --api-key or EMULATOR_API_KEY): ${apiKey}`);
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
