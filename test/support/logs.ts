// A destination for a test's logger that keeps what was written, to read the log lines back.
import { Writable } from 'node:stream';

export interface LogSink {
  stream: Writable;
  /** Everything written so far. */
  text(): string;
  /** Every line written so far, parsed (pino writes one JSON object per line). */
  lines(): Record<string, unknown>[];
}

export function logSink(): LogSink {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString('utf8');
      done();
    },
  });
  return {
    stream,
    text: () => written,
    lines: () =>
      written
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
