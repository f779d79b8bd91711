// Fault injection set through PUT /_emulator/faults. Partial updates merge; DELETE resets to none.
import { z } from 'zod';

import type { StatusDelays } from './options.js';

const rate = z.number().min(0).max(1);
const delays = z.object({
  serverAck: z.number().int().min(0),
  deliveryAck: z.number().int().min(0),
  read: z.number().int().min(0),
});

export const faultsPatchSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: rate.optional(),
  // The send's own WhatsApp queries time out after its checks, before anything is relayed.
  sendTimeoutRate: rate.optional(),
  dropWebhookRate: rate.optional(),
  duplicateWebhookRate: rate.optional(),
  reorderWebhooks: z.boolean().optional(),
  // null switches receipts off; omitted keeps the current setting.
  statusDelaysMs: delays.nullable().optional(),
  notOnWhatsApp: z.array(z.string().min(1)).optional(),
  // Media URLs whose file server refuses the download: the first rule whose prefix the URL starts
  // with gives the HTTP status it answers.
  mediaDownloadFailures: z
    .array(z.strictObject({ urlPrefix: z.string().min(1), status: z.number().int().min(400).max(599) }))
    .optional(),
});

export type FaultsPatch = z.infer<typeof faultsPatchSchema>;

export interface Faults {
  latencyMs: number;
  errorRate: number;
  sendTimeoutRate: number;
  dropWebhookRate: number;
  duplicateWebhookRate: number;
  reorderWebhooks: boolean;
  /** undefined = use the emulator option. */
  statusDelaysMs: StatusDelays | null | undefined;
  notOnWhatsApp: string[];
  mediaDownloadFailures: MediaDownloadFailure[];
}

export interface MediaDownloadFailure {
  urlPrefix: string;
  status: number;
}

export function noFaults(): Faults {
  return {
    latencyMs: 0,
    errorRate: 0,
    sendTimeoutRate: 0,
    dropWebhookRate: 0,
    duplicateWebhookRate: 0,
    reorderWebhooks: false,
    statusDelaysMs: undefined,
    notOnWhatsApp: [],
    mediaDownloadFailures: [],
  };
}

export class FaultState {
  current: Faults = noFaults();
  /** Canonical JIDs of notOnWhatsApp, so the send path does one Set lookup. */
  private absent = new Set<string>();

  constructor(
    private readonly canonical: (number: string) => string,
    private readonly random: () => number = Math.random,
  ) {}

  apply(patch: FaultsPatch): Faults {
    const next: Faults = { ...this.current };
    for (const [key, value] of Object.entries(patch) as [keyof Faults, unknown][]) {
      if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    this.current = next;
    this.absent = new Set(next.notOnWhatsApp.map((n) => this.canonical(n)));
    return next;
  }

  reset(): void {
    this.current = noFaults();
    this.absent = new Set();
  }

  isOnWhatsApp(jid: string): boolean {
    return !this.absent.has(jid);
  }

  /** The status the file server answers for this media URL, if a rule makes it fail. */
  mediaDownloadStatus(url: string): number | undefined {
    return this.current.mediaDownloadFailures.find((rule) => url.startsWith(rule.urlPrefix))?.status;
  }

  roll(rateValue: number): boolean {
    return rateValue > 0 && this.random() < rateValue;
  }

  /** Plain-JSON view for GET (statusDelaysMs undefined shows as null + `statusDelaysFromOptions`). */
  view(): Record<string, unknown> {
    const { statusDelaysMs, ...rest } = this.current;
    return {
      ...rest,
      statusDelaysMs: statusDelaysMs ?? null,
      statusDelaysFromOptions: statusDelaysMs === undefined,
    };
  }
}
