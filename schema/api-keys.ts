/**
 * API keys of the GraphQL API. Only a hash of each secret is stored (the secret is shown once,
 * when the key is made); a key belongs to one tenant and carries scopes. Keys are never
 * deleted, only revoked, so the ledger's records of who read what keep naming a known key.
 */
import { customType, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** bytea as postgres.js returns it (see ledger.ts). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => "bytea",
});

export const apiKeys = pgTable("api_keys", {
  /** Public identifier, printed in lists and recorded as the actor of the key's requests. */
  id: text("id").primaryKey(),
  tenant: text("tenant").notNull(),
  name: text("name").notNull(),
  scopes: text("scopes").array().notNull(),
  /** SHA-256 of the secret token. */
  secretHash: bytea("secret_hash").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
});
