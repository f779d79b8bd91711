// One running pipeline for a benchmark: a scratch PostgreSQL database, the emulator process, an
// API process and N worker processes on one Redis prefix, and connected advisors. With
// `apiRole: 'all'` the API process runs the workers too (`--role all`, as `npm start` does by
// default); `workers: 0` alone means no worker at all (fairness-latency queues a backlog so).
import { randomBytes } from 'node:crypto';

import {
  connectAdvisor,
  CpuMeter,
  deletePrefix,
  freePort,
  pidsByName,
  scratchDatabase,
  serviceEnv,
  startEmulatorProcess,
  startServiceProcess,
  waitForWorkers,
  type BenchAdvisor,
  type Child,
  type ScratchDatabase,
} from './stack.js';

export interface PipelineStack {
  apiUrl: string;
  prefix: string;
  database: ScratchDatabase;
  emulator: Child & { url: string; apiKey: string };
  api: Child;
  workers: Child[];
  advisors: BenchAdvisor[];
  env: Record<string, string>;
  cpu: CpuMeter;
  close(): Promise<void>;
}

/**
 * The rate limit is effectively off (100,000 per second per advisor), and so is account-safety
 * pacing, which is on by default against any gateway that is not the built-in sandbox.
 */
export const RATE_LIMIT_OFF = {
  WHATSAPP_RATE_LIMIT_MAX: '100000',
  WHATSAPP_RATE_LIMIT_DURATION: '1000',
  WHATSAPP_RATE_LIMIT_MAX_CEILING: '100000',
  PACING_MODE: 'off',
};

export async function startPipeline(options: {
  tag: string;
  advisors: number;
  workers: number;
  /** `all`: the API process runs the workers too. */
  apiRole?: 'api' | 'all';
  env?: Record<string, string>;
  receipts?: boolean;
}): Promise<PipelineStack> {
  const database = await scratchDatabase(options.tag);
  const emulator = await startEmulatorProcess({ receipts: options.receipts ?? false });
  const prefix = `wwbench_${options.tag}_${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const env = serviceEnv({
    databaseUrl: database.url,
    emulator,
    prefix,
    port,
    extra: { ...RATE_LIMIT_OFF, ...options.env },
  });
  const started: Child[] = [emulator];
  try {
    const apiRole = options.apiRole ?? 'api';
    const api = await startServiceProcess(apiRole, env);
    started.push(api);
    const workers: Child[] = [];
    for (let i = 0; i < options.workers; i++) {
      const worker = await startServiceProcess('worker', env, `worker${i + 1}`);
      workers.push(worker);
      started.push(worker);
    }
    await waitForWorkers(prefix, options.workers + (apiRole === 'all' ? 1 : 0));
    const apiUrl = `http://127.0.0.1:${port}`;
    const advisors: BenchAdvisor[] = [];
    for (let i = 0; i < options.advisors; i++)
      advisors.push(await connectAdvisor(apiUrl, emulator.url, `Asesora ${i}`));
    const cpu = new CpuMeter({
      api: () => [api.pid],
      ...Object.fromEntries(workers.map((w) => [w.name, () => [w.pid]])),
      emulator: () => [emulator.pid],
      'load generator': () => [process.pid],
      'postgres (whole server)': () => pidsByName('postgres'),
      redis: () => pidsByName('redis-server'),
    });
    return {
      apiUrl,
      prefix,
      database,
      emulator,
      api,
      workers,
      advisors,
      env,
      cpu,
      close: async () => {
        for (const child of started.reverse()) await child.stop();
        await deletePrefix(prefix);
        await database.drop();
      },
    };
  } catch (err) {
    for (const child of started.reverse()) await child.stop();
    await deletePrefix(prefix);
    await database.drop();
    throw err;
  }
}
