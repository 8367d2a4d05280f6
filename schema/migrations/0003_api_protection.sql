-- Protection of the API keys (PCI DSS 8.3.2: credentials unreadable in storage; 8.2.6/8.6:
-- accounts traceable). Only SHA-256 hashes of the secrets are stored. Keys are revoked, never
-- deleted, and nothing about a key but its revocation may change.
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_shape" CHECK (
  "tenant" <> '' AND "name" <> '' AND octet_length("secret_hash") = 32
  AND cardinality("scopes") > 0
  AND "scopes" <@ ARRAY['events:read', 'proofs:read', 'events:write', 'packs:create', 'admin']::text[]);
--> statement-breakpoint
CREATE FUNCTION "sealtrail_api_key_revoke_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."revoked_at" IS NULL AND NEW."revoked_at" IS NOT NULL
     AND (NEW."id", NEW."tenant", NEW."name", NEW."scopes", NEW."secret_hash", NEW."created_at")
         IS NOT DISTINCT FROM (OLD."id", OLD."tenant", OLD."name", OLD."scopes", OLD."secret_hash", OLD."created_at") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'sealtrail: % on %.api_keys is forbidden: keys are only ever revoked', TG_OP, TG_TABLE_SCHEMA
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER "api_keys_revoke_only" BEFORE UPDATE OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "sealtrail_api_key_revoke_only"();
--> statement-breakpoint
CREATE TRIGGER "api_keys_no_truncate" BEFORE TRUNCATE ON "api_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION "sealtrail_forbid_change"();
--> statement-breakpoint
ALTER FUNCTION "sealtrail_api_key_revoke_only"() OWNER TO sealtrail_owner;
--> statement-breakpoint
ALTER TABLE "api_keys" OWNER TO sealtrail_owner;
--> statement-breakpoint
REVOKE ALL ON "api_keys" FROM PUBLIC;
--> statement-breakpoint
-- The API looks keys up before it knows the tenant, as the writer (the trusted service role);
-- requests then run as the reader, which cannot see this table at all.
GRANT SELECT ON "api_keys" TO sealtrail_writer;
--> statement-breakpoint
-- Full-text search under row-level security. A policy's qual is a security barrier: a user
-- qual whose operator is not LEAKPROOF is evaluated only after it, so it can never be an index
-- condition, and the GIN index entries_payload_fts would go unused (a 1M-entry search takes
-- seconds instead of milliseconds). tsvector @@ tsquery (ts_match_vq) compares a row's words
-- with the query and returns true or false; we judge that it tells nothing about a row but
-- its result, which is what LEAKPROOF asserts (PostgreSQL docs, CREATE FUNCTION), though we
-- have not audited every error path of its C source. API clients cannot send SQL of their
-- own, so no client can probe it. Setting it needs a superuser, as the BYPASSRLS above does;
-- it is a database-wide, idempotent flag on the built-in function.
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
