import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { logMessageContent } from './content-log.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const content = {
  messageId: 'm-1',
  direction: 'outbound' as const,
  phone: '+34612345678',
  type: 'text',
  text: 'Hola Marta, te espero mañana a las 10:00.',
  caption: null,
};

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('logMessageContent', () => {
  it('writes the body at debug level when LOG_MESSAGE_CONTENT is on', async () => {
    const { logger, lines } = capture('debug');
    logMessageContent({ config: { logMessageContent: true }, logger }, 'adv-1', content);
    await flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 20, advisorId: 'adv-1', text: content.text, messageId: 'm-1' });
  });

  it('writes nothing when it is off, whatever the level', async () => {
    const { logger, lines } = capture('trace');
    logMessageContent({ config: { logMessageContent: false }, logger }, 'adv-1', content);
    await flush();
    expect(lines).toEqual([]);
  });
});
