// LOG_MESSAGE_CONTENT: message bodies in the logs, to debug a development setup. Off by default
// and refused in production (config.ts): logs travel to places the audit log's access rules do
// not reach. Written at debug level, so LOG_LEVEL=debug is needed as well.
import type { Logger } from 'pino';

export interface LoggedContent {
  messageId: string;
  direction: 'inbound' | 'outbound';
  phone: string | null;
  type: string;
  text: string | null;
  caption: string | null;
}

export function logMessageContent(
  ctx: { config: { logMessageContent: boolean }; logger: Logger },
  advisorId: string,
  content: LoggedContent,
): void {
  if (!ctx.config.logMessageContent) return;
  ctx.logger.debug({ advisorId, ...content }, `message content (${content.direction})`);
}
