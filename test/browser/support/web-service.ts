// The real service (startTestService) serving the built dashboard from its own address, as
// `npm start` does.
import { startTestService, type TestService, type TestServiceOptions } from '../../support/service.js';
import { ensureWebBuild } from './web-build.js';

export interface WebService {
  /** Where the browser goes: the service itself. */
  url: string;
  service: TestService;
  close(): Promise<void>;
}

export async function startWebService(options: TestServiceOptions = {}): Promise<WebService> {
  await ensureWebBuild();
  const service = await startTestService(options);
  return { url: service.url, service, close: () => service.close() };
}
