// Writes one benchmark's figures into docs/BENCHMARKS.md between markers, so every benchmark
// owns its section and re-running one never erases the others.
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

const FILE = new URL('../../docs/BENCHMARKS.md', import.meta.url);

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `Measured ${new Date().toISOString().slice(0, 16)}Z on ${os.cpus().length} × ${cpu}, Node ${process.version}.`;
}

export async function writeSection(id: string, markdown: string): Promise<void> {
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  let doc = await readFile(FILE, 'utf8').catch(
    () => '# Benchmarks\n\nEvery figure here is written by a script in `bench/` (`npm run bench`).\n',
  );
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + block + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  await writeFile(FILE, doc);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * Median and worst of `runs` timed calls of `fn`, in ms, after one untimed call (it warms the
 * caches and the plans), and what the last call returned.
 */
export async function timedRuns<T>(
  runs: number,
  fn: () => Promise<T>,
): Promise<{ median: number; max: number; last: T }> {
  let last = await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await fn();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { median: percentile(ms, 50), max: ms.at(-1)!, last };
}
