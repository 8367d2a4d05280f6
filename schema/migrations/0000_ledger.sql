CREATE TABLE "checkpoints" (
	"log_id" integer NOT NULL,
	"size" bigint NOT NULL,
	"root" "bytea" NOT NULL,
	"note" text NOT NULL,
	"key_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkpoints_log_id_size_pk" PRIMARY KEY("log_id","size")
);
--> statement-breakpoint
CREATE TABLE "entries" (
	"log_id" integer NOT NULL,
	"seq" bigint NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"resource" text NOT NULL,
	"outcome" text NOT NULL,
	"source" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"payload" text,
	"payload_hash" "bytea" NOT NULL,
	"leaf_hash" "bytea" NOT NULL,
	"chain_hash" "bytea" NOT NULL,
	"idempotency_key" text NOT NULL,
	CONSTRAINT "entries_log_id_seq_pk" PRIMARY KEY("log_id","seq")
);
--> statement-breakpoint
CREATE TABLE "logs" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"tenant" text DEFAULT 'default' NOT NULL,
	"origin" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "logs_name_unique" UNIQUE("name"),
	CONSTRAINT "logs_origin_unique" UNIQUE("origin")
);
--> statement-breakpoint
CREATE TABLE "merkle_nodes" (
	"log_id" integer NOT NULL,
	"level" smallint NOT NULL,
	"idx" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "merkle_nodes_log_id_level_idx_pk" PRIMARY KEY("log_id","level","idx")
);
--> statement-breakpoint
CREATE INDEX "checkpoints_created" ON "checkpoints" USING btree ("log_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "entries_idempotency_key" ON "entries" USING btree ("log_id","idempotency_key");