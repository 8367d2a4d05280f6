/**
 * Ledger tables. Table definitions only: grants, triggers and row-level security are
 * hand-written SQL in the custom migration beside the generated one (drizzle-kit --custom).
 * Tables are unqualified so that one database can hold several isolated ledgers, one per
 * Postgres schema (`SEALTRAIL_DB_SCHEMA`), each migrated on its own.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * The row types below are the ledger's (ledger/*.ts derive theirs with $inferSelect), typed as
 * postgres.js returns them: bytea as a Buffer, and int8 as a JS number, since the connection
 * parses it so (ledger/db.ts; seqs and sizes stay far below 2^53). Neither changes the SQL.
 */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => "bytea",
});

const tsvector = customType<{ data: string }>({
  dataType: () => "tsvector",
});

/** A log: one append-only sequence of entries with one Merkle tree. */
export const logs = pgTable(
  "logs",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull().unique(),
    tenant: text("tenant").notNull().default("default"),
    /** The C2SP checkpoint origin line of this log; also the `log` field every leaf commits to. */
    origin: text("origin").notNull().unique(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * The leaf encoding of every entry of the log (docs/leaf-format.md): 1, actor, resource and
     * payload hash in clear; 2, salted commitments whose salts and values are in entry_secrets.
     * Fixed at creation: logs rows never change. Existing logs are 1.
     */
    leafVersion: smallint("leaf_version").notNull().default(1),
  },
  // The row-level security policies look a tenant's logs up on every query.
  (t) => [index("logs_tenant").on(t.tenant, t.id)],
);

/** Entries: the Merkle leaves, hash-linked by `chain_hash`, gapless `seq` from 0 per log. */
export const entries = pgTable(
  "entries",
  {
    logId: integer("log_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    kind: text("kind").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    resource: text("resource").notNull(),
    outcome: text("outcome").notNull(),
    source: text("source").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, precision: 3 }).notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /** RFC 8785 canonical JSON of the payload, kept as text so verification re-hashes the exact bytes. */
    payload: text("payload"),
    payloadHash: bytea("payload_hash").notNull(),
    leafHash: bytea("leaf_hash").notNull(),
    chainHash: bytea("chain_hash").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.logId, t.seq] }),
    uniqueIndex("entries_idempotency_key").on(t.logId, t.idempotencyKey),
    // Search indexes for the API's event filters: equality filters keep (log, seq) order, so a
    // page is an index range scan whatever the filter's selectivity. These two grow at their
    // right edge (few kinds; times follow seq) and cost the append under 1 µs an entry each;
    // the actor and resource indexes, whose inserts land anywhere, are in entry_search.
    index("entries_kind").on(t.logId, t.kind, t.seq),
    index("entries_occurred").on(t.logId, t.occurredAt),
  ],
);

/**
 * The lookups of the API's rarer filters: the full-text words of each entry's payload, and its
 * actor and resource. Derived data, not evidence (the verifier never reads it). Filled after
 * commit by the search indexer (src/ledger/search-indexer.ts), in seq order, so a log's rows
 * here are always the prefix seq < watermark; searches read entries past the watermark
 * directly (event-query.ts). Kept out of the append transaction because building the tsvector
 * and its GIN entry there cost ~45 µs an entry, and the actor and resource b-trees ~3 µs each
 * (inserts at random places), against ~11 µs for the rest of the entry (BENCHMARKS.md).
 * A stored column, not an expression index, so that a search under row-level security can use
 * the GIN index (the qual is a bare column with the LEAKPROOF @@; see 0003).
 */
export const entrySearch = pgTable(
  "entry_search",
  {
    logId: integer("log_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    actor: text("actor").notNull(),
    resource: text("resource").notNull(),
    search: tsvector("search").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.logId, t.seq] }),
    index("entry_search_words").using("gin", t.search),
    index("entry_search_actor").on(t.logId, t.actor, t.seq),
    index("entry_search_resource").on(t.logId, t.resource, t.seq),
  ],
);

/**
 * Interior nodes of complete subtrees: node (level, idx) is the root of leaves
 * [idx·2^level, (idx+1)·2^level). Level 0 (the leaves) lives in entries.leaf_hash.
 * With these, an inclusion or consistency proof is O(log n) indexed reads.
 */
export const merkleNodes = pgTable(
  "merkle_nodes",
  {
    logId: integer("log_id").notNull(),
    level: smallint("level").notNull(),
    idx: bigint("idx", { mode: "number" }).notNull(),
    hash: bytea("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.level, t.idx] })],
);

/** Signed tree heads: C2SP tlog-checkpoint bodies in C2SP signed notes. */
export const checkpoints = pgTable(
  "checkpoints",
  {
    logId: integer("log_id").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    root: bytea("root").notNull(),
    note: text("note").notNull(),
    keyId: text("key_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.size] }), index("checkpoints_created").on(t.logId, t.createdAt)],
);

/**
 * Witness cosignatures on checkpoints (C2SP tlog-cosignature): one note signature line per
 * witness and checkpoint, as the witness returned it. Appended to the checkpoint's note when
 * it is served or packed; a witness's line proves it saw this root at this size.
 */
export const checkpointCosignatures = pgTable(
  "checkpoint_cosignatures",
  {
    logId: integer("log_id").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    /** The witness's key name and hex key ID, as in its vkey. */
    witness: text("witness").notNull(),
    keyId: text("key_id").notNull(),
    /** "— <name> <base64>\n": the line to append to the note. */
    line: text("line").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.size, t.witness, t.keyId] })],
);

/**
 * RFC 3161 time-stamp tokens over checkpoints: the DER TimeStampResp a TSA returned for the
 * SHA-256 of the checkpoint's note, verifiable with `openssl ts -verify` alone.
 */
export const checkpointTimestamps = pgTable(
  "checkpoint_timestamps",
  {
    logId: integer("log_id").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    tsa: text("tsa").notNull(),
    token: bytea("token").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.size] })],
);

/**
 * Logs whose C2SP tlog-tiles are readable without an API key (for sharing with auditors).
 * Append-only like the rest of the ledger: publishing is recorded, never edited away; a row
 * with `public` false, inserted later, withdraws it (the newest row wins).
 */
export const logVisibility = pgTable(
  "log_visibility",
  {
    logId: integer("log_id").notNull(),
    public: boolean("public").notNull(),
    at: timestamp("at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.at] })],
);

/**
 * The clear values of a v2 log's committed fields (actor 0, resource 1, payload 2; see
 * core/entry/commitment.ts) with their salts: commitment = SHA-256(salt ‖ value) is in the
 * entry. Rows are never updated, only deleted: deleting one (crypto-shredding, for an erasure
 * or an expiry) leaves the entry, the chain, the tree and every proof intact and the value
 * unrecoverable. A deletion must be authorized by an erasure or expiry entry of the same log,
 * else the verifier reports it (value_removed).
 */
export const entrySecrets = pgTable(
  "entry_secrets",
  {
    logId: integer("log_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    field: smallint("field").notNull(),
    salt: bytea("salt").notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.seq, t.field] })],
);

/**
 * Which values were removed, and under which record: `record_seq` is the seq, in the same log,
 * of the erasure or expiry entry that authorized it. Names seqs and fields, never values. For
 * display (search, packs, replay, the API show an erased value with its erasure's reference);
 * the verifier trusts only the ledger entry itself.
 */
export const entryRemovals = pgTable(
  "entry_removals",
  {
    logId: integer("log_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    field: smallint("field").notNull(),
    recordSeq: bigint("record_seq", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.seq, t.field] })],
);

/**
 * Retention policies, per log (PCI DSS 10.5.1): how long entries stay in the main tables
 * ("hot") and how long their clear values are kept. Append-only like log_visibility: a change
 * is a new row, the newest counts, and who made it is kept; a log without a row has the
 * defaults (src/core/retention).
 */
export const retentionPolicies = pgTable(
  "retention_policies",
  {
    logId: integer("log_id").notNull(),
    hotDays: integer("hot_days").notNull(),
    clearDays: integer("clear_days").notNull(),
    /** Who set it: a key id, `cli`, or `log create`. */
    setBy: text("set_by").notNull(),
    at: timestamp("at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.logId, t.at] })],
);

/**
 * Ranges of a log moved out of the main tables to the archive: seqs [from_seq, to_seq), where
 * to_seq is the size of a signed checkpoint the archive holds. The only record that lets rows
 * of entries be deleted (0008's trigger); a range of entries missing without one is tampering.
 * `chain_hash` is that of seq to_seq - 1, which the first entry left in the table chains from.
 */
export const archivedRanges = pgTable(
  "archived_ranges",
  {
    logId: integer("log_id").notNull(),
    fromSeq: bigint("from_seq", { mode: "number" }).notNull(),
    toSeq: bigint("to_seq", { mode: "number" }).notNull(),
    root: bytea("root").notNull(),
    chainHash: bytea("chain_hash").notNull(),
    /** Where the archive is: a file: URL or an object-storage URL. */
    location: text("location").notNull(),
    /** The retention run that moved it (its record in the tenant's audit log). */
    run: text("run").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * Whether entry_search held every entry of the range when it was archived (its words are
     * kept across archiving since migration 0011; ranges archived before lost them).
     */
    searchable: boolean("searchable").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.logId, t.toSeq] })],
);

/**
 * Files a tenant attested as evidence of a control (`sealtrail attest`, docs/packs.md), by
 * their SHA-256: the ledger entry (evidence.attestation in the tenant's audit log) commits to
 * the hash, and this table keeps the bytes for the packs that carry the file. Content-addressed
 * and append-only: the same file attested twice is one row, and a row is never changed or
 * removed, so a pack rebuilt later carries the same bytes.
 */
export const attestationFiles = pgTable(
  "attestation_files",
  {
    tenant: text("tenant").notNull(),
    sha256: bytea("sha256").notNull(),
    size: integer("size").notNull(),
    bytes: bytea("bytes").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.sha256] })],
);
