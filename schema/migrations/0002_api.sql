CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"name" text NOT NULL,
	"scopes" text[] NOT NULL,
	"secret_hash" "bytea" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
ALTER TABLE "entries" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (jsonb_to_tsvector('simple'::regconfig, coalesce(payload, 'null')::jsonb, '["string"]'::jsonb)) STORED;--> statement-breakpoint
CREATE INDEX "entries_kind" ON "entries" USING btree ("log_id","kind","seq");--> statement-breakpoint
CREATE INDEX "entries_actor" ON "entries" USING btree ("log_id","actor","seq");--> statement-breakpoint
CREATE INDEX "entries_resource" ON "entries" USING btree ("log_id","resource","seq");--> statement-breakpoint
CREATE INDEX "entries_occurred" ON "entries" USING btree ("log_id","occurred_at");--> statement-breakpoint
CREATE INDEX "entries_search" ON "entries" USING gin ("search");--> statement-breakpoint
CREATE INDEX "logs_tenant" ON "logs" USING btree ("tenant","id");