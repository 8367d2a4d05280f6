import { describe, expect, it } from "vitest";
import { connect, ledgerRoles, splitSocketDir } from "../../src/ledger/postgres/db.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { migrateLedger } from "../../src/ledger/postgres/migrate.js";
import { freshLedger } from "../support/ledger.js";

describe("database connections", () => {
  it("reads the libpq socket-directory form of a URL", () => {
    expect(splitSocketDir("postgres://postgres@/test?host=/var/run/postgresql")).toEqual({ url: "postgres://postgres@localhost/test", socketDir: "/var/run/postgresql" });
    expect(splitSocketDir("postgres://u@h:5433/db?sslmode=disable&host=%2Ftmp&x=1")).toEqual({ url: "postgres://u@h:5433/db?sslmode=disable&x=1", socketDir: "/tmp" });
    expect(splitSocketDir("postgres://u@h/db")).toEqual({ url: "postgres://u@h/db", socketDir: undefined });
  });

  it("connects over TCP and over the unix socket, in the given schema and role", async () => {
    const ledger = await freshLedger("db"); // the roles exist once a ledger was migrated
    try {
      for (const url of ["postgres://postgres@127.0.0.1:5432/test", "postgres://postgres@/test?host=/var/run/postgresql"]) {
        // Both URLs name the database test: the same deployment, so the same roles.
        const sql = connect({ url, schema: ledger.schema, role: "reader" });
        try {
          const [row] = await sql<{ user: string; path: string; tz: string; addr: string | null }[]>`
            select current_user as user, current_setting('search_path') as path, current_setting('TimeZone') as tz,
                   inet_client_addr()::text as addr`;
          expect(row).toMatchObject({ user: ledger.roles.reader, path: ledger.schema, tz: "UTC" });
          expect(row!.addr === null).toBe(url.includes("host=/"));
        } finally {
          await sql.end();
        }
      }
    } finally {
      await ledger.close();
    }
  });

  it("names each deployment's roles after its database and schema, or a prefix of its own", () => {
    expect(ledgerRoles("postgres://postgres@127.0.0.1:5432/test", "sealtrail")).toEqual({ owner: "test_sealtrail_owner", writer: "test_sealtrail_writer", reader: "test_sealtrail_reader" });
    expect(ledgerRoles("postgres://postgres@/prod?host=/var/run/postgresql", "sealtrail").writer).toBe("prod_sealtrail_writer");
    expect(ledgerRoles("postgres://app@h/db", "s", "acme").reader).toBe("acme_reader");
    // Not a plain identifier, or too long: a readable head and a hash of the whole.
    const odd = ledgerRoles("postgres://u@h/Prod-EU", "sealtrail");
    expect(odd.owner).toMatch(/^prod_eu_sealtrail_[0-9a-f]{8}_owner$/);
    expect(ledgerRoles("postgres://u@h/prod_eu", "sealtrail").owner).not.toBe(odd.owner);
    const long = ledgerRoles(`postgres://u@h/${"d".repeat(60)}`, "s".repeat(60));
    expect(Buffer.byteLength(long.writer)).toBeLessThanOrEqual(63);
    expect(long.writer).not.toBe(ledgerRoles(`postgres://u@h/${"d".repeat(60)}`, "s".repeat(59)).writer);
    expect(() => ledgerRoles("postgres://u@h/db", "s", 'x"; drop role y; --')).toThrow(LedgerError);
  });

  it("refuses a schema name it cannot quote safely", async () => {
    const error = await migrateLedger("postgres://postgres@127.0.0.1:5432/test", 'x"; drop table y; --').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe("INVALID_INPUT");
  });
});
