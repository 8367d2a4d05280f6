-- Protection in depth for the ledger (DESIGN.md "The ledger"; PCI DSS 10.3.2).
-- Grants and triggers stop honest mistakes; the hash chain and the Merkle tree catch the rest.
-- Everything here is unqualified: it applies to the schema this ledger is migrated into.

-- Roles are cluster-wide and may already exist (another schema, another database, a
-- concurrent migration): create them only when absent, and tolerate losing the race.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['sealtrail_owner', 'sealtrail_writer', 'sealtrail_reader'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END LOOP;
END $$;
--> statement-breakpoint
-- The writer is the ingestion service: it appends to every tenant's logs, and COPY FROM (the
-- appender's fast path) is refused to any role subject to row-level security. Tenant
-- isolation is for readers, below.
ALTER ROLE sealtrail_writer BYPASSRLS;
--> statement-breakpoint
-- entries and merkle_nodes reference logs through a statement-level check instead of a foreign
-- key: a foreign key checks row by row, which costs the appender ~10 µs an entry, while one
-- query over the inserted rows costs next to nothing. Logs are never deleted (trigger below),
-- so checking at insert time is all a foreign key would do.
CREATE FUNCTION "sealtrail_check_log_ids"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing integer;
BEGIN
  SELECT n.log_id INTO missing FROM new_rows n LEFT JOIN logs l ON l.id = n.log_id WHERE l.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'sealtrail: % references log % which does not exist', TG_TABLE_NAME, missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "entries_log_exists" AFTER INSERT ON "entries" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sealtrail_check_log_ids"();
--> statement-breakpoint
CREATE TRIGGER "merkle_nodes_log_exists" AFTER INSERT ON "merkle_nodes" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "sealtrail_check_log_ids"();
--> statement-breakpoint
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_log_fk" FOREIGN KEY ("log_id") REFERENCES "logs"("id");
--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_seq_nonnegative" CHECK ("seq" >= 0);
--> statement-breakpoint
ALTER TABLE "logs" ADD CONSTRAINT "logs_tenant_nonempty" CHECK ("tenant" <> '');
--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_outcome" CHECK ("outcome" IN ('success', 'failure'));
--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_hash_sizes" CHECK (
  octet_length("payload_hash") = 32 AND octet_length("leaf_hash") = 32 AND octet_length("chain_hash") = 32);
--> statement-breakpoint
ALTER TABLE "merkle_nodes" ADD CONSTRAINT "merkle_nodes_shape" CHECK ("level" >= 1 AND "idx" >= 0 AND octet_length("hash") = 32);
--> statement-breakpoint
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_shape" CHECK ("size" >= 0 AND octet_length("root") = 32);
--> statement-breakpoint
-- Nothing recorded may change or disappear, whoever asks. A superuser can still disable these
-- triggers; that is what the verifier and the sweeps are for.
CREATE FUNCTION "sealtrail_forbid_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'sealtrail: % on %.% is forbidden: the ledger is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['logs', 'entries', 'merkle_nodes', 'checkpoints'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION sealtrail_forbid_change()', t || '_no_change', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION sealtrail_forbid_change()', t || '_no_truncate', t);
    EXECUTE format('ALTER TABLE %I OWNER TO sealtrail_owner', t);
    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM sealtrail_writer, sealtrail_reader', t);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO sealtrail_writer', t);
    EXECUTE format('GRANT SELECT ON %I TO sealtrail_reader', t);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
  END LOOP;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO sealtrail_owner, sealtrail_writer, sealtrail_reader', current_schema());
  EXECUTE format('GRANT CREATE ON SCHEMA %I TO sealtrail_owner', current_schema());
END $$;
--> statement-breakpoint
ALTER SEQUENCE "logs_id_seq" OWNER TO sealtrail_owner;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE "logs_id_seq" TO sealtrail_writer;
--> statement-breakpoint
ALTER FUNCTION "sealtrail_forbid_change"() OWNER TO sealtrail_owner;
--> statement-breakpoint
ALTER FUNCTION "sealtrail_check_log_ids"() OWNER TO sealtrail_owner;
--> statement-breakpoint
-- Row-level security for readers: a request runs as sealtrail_reader with the tenant set for
-- its transaction (SET LOCAL sealtrail.tenant); it sees only that tenant's logs. With no
-- tenant set, the setting is NULL on a fresh session and '' on a pooled one that had it set
-- before: nullif makes both NULL, and nothing matches.
CREATE POLICY "logs_reader_tenant" ON "logs" FOR SELECT TO sealtrail_reader
  USING ("tenant" = nullif(current_setting('sealtrail.tenant', true), ''));
--> statement-breakpoint
CREATE POLICY "entries_reader_tenant" ON "entries" FOR SELECT TO sealtrail_reader
  USING ("log_id" IN (SELECT "id" FROM "logs" WHERE "tenant" = nullif(current_setting('sealtrail.tenant', true), '')));
--> statement-breakpoint
CREATE POLICY "merkle_nodes_reader_tenant" ON "merkle_nodes" FOR SELECT TO sealtrail_reader
  USING ("log_id" IN (SELECT "id" FROM "logs" WHERE "tenant" = nullif(current_setting('sealtrail.tenant', true), '')));
--> statement-breakpoint
CREATE POLICY "checkpoints_reader_tenant" ON "checkpoints" FOR SELECT TO sealtrail_reader
  USING ("log_id" IN (SELECT "id" FROM "logs" WHERE "tenant" = nullif(current_setting('sealtrail.tenant', true), '')));
