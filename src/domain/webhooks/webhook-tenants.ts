// Instance name → (advisor, webhook secret), the lookup every webhook starts with. Cached for a few
// seconds so a burst of events costs one query and one decryption per instance, not per event.
// A stale entry can never reject a good request: on a failed check the caller asks again with
// `fresh: true`, which re-reads the row (the secret changes when an instance is re-created).
import { findConfigByInstanceName } from '../../db/repositories/whatsapp-config.repository.js';
import type { Db } from '../../db/client.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { webhookSecretOf } from '../instances/instance-credentials.js';

export interface WebhookTenant {
  advisorId: string;
  secret: string;
  /** True when read from the database for this call (not from the cache). */
  fresh: boolean;
}

interface Entry {
  advisorId: string;
  secret: string;
  expiresAt: number;
}

export class WebhookTenants {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry | null>>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly options: { ttlMs: number; maxEntries: number } = { ttlMs: 5_000, maxEntries: 10_000 },
  ) {}

  async find(instanceName: string, { fresh = false } = {}): Promise<WebhookTenant | null> {
    const cached = this.entries.get(instanceName);
    if (!fresh && cached && cached.expiresAt > Date.now()) {
      return { advisorId: cached.advisorId, secret: cached.secret, fresh: false };
    }
    // Concurrent misses for one instance share a single query.
    let pending = this.loading.get(instanceName);
    if (!pending) {
      pending = this.load(instanceName).finally(() => this.loading.delete(instanceName));
      this.loading.set(instanceName, pending);
    }
    const entry = await pending;
    return entry && { advisorId: entry.advisorId, secret: entry.secret, fresh: true };
  }

  private async load(instanceName: string): Promise<Entry | null> {
    const row = await findConfigByInstanceName(this.db, instanceName);
    const secret = row ? webhookSecretOf(this.box, row) : null;
    if (!row || !secret) {
      // Unknown names are not cached: an instance created a moment later must be found at once.
      this.entries.delete(instanceName);
      return null;
    }
    const entry = { advisorId: row.advisorId, secret, expiresAt: Date.now() + this.options.ttlMs };
    this.entries.delete(instanceName);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(instanceName, entry);
    return entry;
  }
}
