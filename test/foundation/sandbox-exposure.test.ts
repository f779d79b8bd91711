// In sandbox mode the emulator's control API (/_emulator, API.md "Sandbox") answers anyone who
// reaches the service's port. The service says so at startup when it listens beyond this machine.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/runtime.js';
import { logSink } from '../support/logs.js';
import { startTestService } from '../support/service.js';

async function startupWarnings(host: string): Promise<string[]> {
  const sink = logSink();
  const service = await startTestService({
    env: { HOST: host },
    logger: pino({ level: 'info' }, sink.stream),
  });
  await service.close();
  return sink
    .lines()
    .filter((line) => line.level === 40)
    .map((line) => String(line.msg));
}

describe('sandbox mode on a network address', () => {
  it('warns that /_emulator is open to the network when listening on every interface', async () => {
    const warnings = await startupWarnings('0.0.0.0');
    expect(warnings).toContainEqual(
      expect.stringMatching(/sandbox mode listening on 0\.0\.0\.0.*\/_emulator/),
    );
  });

  it('says nothing of it when listening on loopback only', async () => {
    const warnings = await startupWarnings('127.0.0.1');
    expect(warnings.filter((w) => w.includes('/_emulator'))).toEqual([]);
  });

  it('tells loopback addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', ' LOCALHOST ']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
