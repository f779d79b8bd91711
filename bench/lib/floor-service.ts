// The send pipeline's floor: the work every message needs whatever the product around it, in the
// same shape (an API process, a worker process, the emulator as the gateway, PostgreSQL, BullMQ)
// and nothing else: no authentication lookup, validation, phone parsing, opt-out, templates,
// pacing, rate limit, events, audit or receipts. It tells how fast this machine can go at all with
// one HTTP request in, one outbox row, one job, one gateway call and the gateway's echo per message.
//
//   node --import tsx bench/lib/floor-service.ts api    <port> <coalesce: 0|1>
//   node --import tsx bench/lib/floor-service.ts worker <concurrency> <coalesce: 0|1>
// Environment: DATABASE_URL, REDIS_URL, FLOOR_PREFIX; the worker also EMULATOR_URL,
// FLOOR_INSTANCE, FLOOR_TOKEN. Prints `ready` once it serves or consumes.
//
// With coalesce=1 the statements that concurrent requests (or jobs) issue in the same turn of the
// event loop go to PostgreSQL as one statement over arrays, and the jobs of those requests as one
// addBulk: what a batched send path would do, measured before building it into the product.
import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';

const [role, arg, coalesceArg] = process.argv.slice(2);
const coalesce = coalesceArg === '1';
const prefix = process.env.FLOOR_PREFIX ?? 'wwfloor';
const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
db.on('error', () => undefined);

/**
 * Gathers the calls made in one turn of the event loop and runs them as one: `run` gets every
 * input and answers with one output per input, in order.
 */
function batcher<In, Out>(run: (inputs: In[]) => Promise<Out[]>): (input: In) => Promise<Out> {
  let pending: { input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    run(batch.map((p) => p.input)).then(
      (outs) => batch.forEach((p, i) => p.resolve(outs[i]!)),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  };
  return (input) =>
    new Promise<Out>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ input, resolve, reject });
    });
}

async function serveApi(port: number): Promise<void> {
  const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  const queue = new Queue('floor-send', { connection, prefix });
  const jobOptions = { removeOnComplete: true, removeOnFail: true, attempts: 8 };

  const insertOne = async (m: { phone: string; text: string }) => {
    const { rows } = await db.query<{ id: string }>({
      name: 'floor_insert',
      text: `insert into floor_message (phone, text) values ($1, $2) returning id`,
      values: [m.phone, m.text],
    });
    const id = rows[0]!.id;
    await queue.add('send', { id }, { ...jobOptions, jobId: `send-${id}` });
    return id;
  };
  const insertMany = batcher(async (ms: { phone: string; text: string }[]) => {
    const { rows } = await db.query<{ id: string }>({
      name: 'floor_insert_many',
      text: `insert into floor_message (phone, text)
             select * from unnest($1::text[], $2::text[]) returning id`,
      values: [ms.map((m) => m.phone), ms.map((m) => m.text)],
    });
    await queue.addBulk(
      rows.map(({ id }) => ({ name: 'send', data: { id }, opts: { ...jobOptions, jobId: `send-${id}` } })),
    );
    return rows.map((r) => r.id);
  });

  const app = Fastify({ logger: false });
  app.post<{ Body: { to: string; text: string } }>('/send', async (request, reply) => {
    const { to, text } = request.body;
    const id = await (coalesce ? insertMany : insertOne)({ phone: to, text });
    return reply.code(202).send({ message: { id } });
  });
  // The gateway's SEND_MESSAGE echo: parsed and acknowledged, nothing else.
  app.post('/webhook', async () => ({ ok: true }));
  await app.listen({ port, host: '127.0.0.1' });
}

interface Claimed {
  phone: string;
  text: string;
}

async function consume(concurrency: number): Promise<void> {
  const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  const emulator = new Pool(process.env.EMULATOR_URL!, { connections: concurrency });
  const sendPath = `/message/sendText/${process.env.FLOOR_INSTANCE}`;
  const token = process.env.FLOOR_TOKEN!;

  const claimOne = async (id: string): Promise<Claimed | null> => {
    const { rows } = await db.query<Claimed>({
      name: 'floor_claim',
      text: `update floor_message set status = 'sending', attempts = attempts + 1
              where id = $1 and status = 'queued' returning phone, text`,
      values: [id],
    });
    return rows[0] ?? null;
  };
  const claimMany = batcher(async (ids: string[]) => {
    const { rows } = await db.query<Claimed & { id: string }>({
      name: 'floor_claim_many',
      text: `update floor_message set status = 'sending', attempts = attempts + 1
              where id = any($1::uuid[]) and status = 'queued' returning id, phone, text`,
      values: [ids],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  const markOne = async (s: { id: string; evolutionId: string }) => {
    await db.query({
      name: 'floor_mark',
      text: `update floor_message set status = 'sent', evolution_id = $2, sent_at = now()
              where id = $1 and status = 'sending'`,
      values: [s.id, s.evolutionId],
    });
  };
  const markMany = batcher(async (ss: { id: string; evolutionId: string }[]) => {
    await db.query({
      name: 'floor_mark_many',
      text: `update floor_message m set status = 'sent', evolution_id = s.evolution_id, sent_at = now()
               from unnest($1::uuid[], $2::text[]) as s(id, evolution_id)
              where m.id = s.id and m.status = 'sending'`,
      values: [ss.map((s) => s.id), ss.map((s) => s.evolutionId)],
    });
    return ss.map(() => undefined);
  });
  const claim = coalesce ? claimMany : claimOne;
  const mark = coalesce ? markMany : markOne;

  const worker = new Worker<{ id: string }>(
    'floor-send',
    async (job) => {
      const message = await claim(job.data.id);
      if (!message) return;
      const res = await emulator.request({
        path: sendPath,
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: token },
        body: JSON.stringify({ number: message.phone.replace(/^\+/, ''), text: message.text }),
      });
      const body = (await res.body.json()) as { key?: { id?: string } };
      if (res.statusCode !== 201 || !body.key?.id) throw new Error(`sendText: ${res.statusCode}`);
      await mark({ id: job.data.id, evolutionId: body.key.id });
    },
    { connection, prefix, concurrency },
  );
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
}

if (role === 'api') await serveApi(Number(arg));
else if (role === 'worker') await consume(Number(arg));
else throw new Error(`unknown role ${role}`);
console.log('ready');
process.on('SIGTERM', () => process.exit(0));
