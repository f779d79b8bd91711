-- Custom SQL migration (data only). Evolution puts the instance token in clear in a webhook
-- envelope's `apikey` when AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES=true. The receiver now drops
-- it before storing the event (src/domain/webhooks/receive-webhook.ts); this removes it from the
-- events stored before that, which would otherwise keep a credential in clear until they are
-- pruned (WEBHOOK_RETENTION_DAYS). Nothing reads the field.
UPDATE "webhook_event" SET "payload" = "payload" - 'apikey' WHERE jsonb_typeof("payload") = 'object' AND "payload" ? 'apikey';
