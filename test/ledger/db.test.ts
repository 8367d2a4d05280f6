import { describe, expect, it } from "vitest";
import { connect, splitSocketDir } from "../../src/ledger/postgres/db.js";
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
    await ledger.close();
    for (const url of ["postgres://postgres@127.0.0.1:5432/test", "postgres://postgres@/test?host=/var/run/postgresql"]) {
      const sql = connect({ url, schema: "some_schema", role: "sealtrail_reader" });
      try {
        const [row] = await sql<{ user: string; path: string; tz: string; addr: string | null }[]>`
          select current_user as user, current_setting('search_path') as path, current_setting('TimeZone') as tz,
                 inet_client_addr()::text as addr`;
        expect(row).toMatchObject({ user: "sealtrail_reader", path: "some_schema", tz: "UTC" });
        expect(row!.addr === null).toBe(url.includes("host=/"));
      } finally {
        await sql.end();
      }
    }
  });

  it("refuses a schema name it cannot quote safely", async () => {
    const error = await migrateLedger("postgres://postgres@127.0.0.1:5432/test", 'x"; drop table y; --').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe("INVALID_INPUT");
  });
});
