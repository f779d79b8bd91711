-- Custom SQL migration (drizzle-kit does not model statistics objects).
-- The metrics group a range of messages by UTC day (src/domain/metrics/compute-metrics.ts, the same
-- expression). Without statistics on it the planner estimates one group per message (created_at
-- is nearly unique), so it sorts the whole range instead of hashing it, never splits it across
-- parallel workers, and its inflated cost turns JIT compilation on. No cost on writes: ANALYZE
-- (autovacuum) keeps it; the ANALYZE below makes it count at once on an existing table.
CREATE STATISTICS IF NOT EXISTS "whatsapp_message_utc_day_stats" ON (date_trunc('day', ("created_at" AT TIME ZONE 'UTC'))) FROM "whatsapp_message";
--> statement-breakpoint
ANALYZE "whatsapp_message";
