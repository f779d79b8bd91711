// The message columns a webhook message fills, from the gateway's reading of it.
import type { MessageEvent } from '../../gateway/index.js';

export function messageContentOf(event: MessageEvent) {
  return {
    type: event.kind,
    text: event.text,
    caption: event.caption,
    mimetype: event.mimetype,
    fileName: event.fileName,
  };
}
