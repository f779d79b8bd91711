-- Custom SQL migration (data only). Built-in templates now come in Portuguese (pt), and an advisor
-- whose locale is Portuguese (pt-BR, pt-PT, pt) gets them instead of the Spanish ones they got
-- until now. An advisor of that locale who had changed a Spanish built-in did it for the texts
-- their clients receive (often to write them in Portuguese): their override moves to the
-- Portuguese slot, so their clients keep getting the advisor's words rather than the new
-- built-in. No Portuguese row can exist yet (the API took only es and en); the NOT EXISTS keeps
-- the unique index (advisor, key, language) safe all the same. In a rolling deployment, a process
-- still on the previous code cannot list a moved row (its response schema knows es and en only):
-- GET /api/whatsapp/templates answers 500 for those advisors until that process is replaced.
UPDATE "whatsapp_template" AS t
SET "language" = 'pt'
FROM "whatsapp_config" AS c
WHERE c."advisor_id" = t."advisor_id"
  AND lower(c."settings" ->> 'locale') ~ '^pt([-_]|$)'
  AND t."overrides_built_in"
  AND t."language" = 'es'
  AND t."key" IN ('appointment_confirmation', 'appointment_reminder', 'appointment_rescheduled', 'follow_up', 'custom')
  AND NOT EXISTS (
    SELECT 1 FROM "whatsapp_template" AS p
    WHERE p."advisor_id" = t."advisor_id" AND p."key" = t."key" AND p."language" = 'pt'
  );
