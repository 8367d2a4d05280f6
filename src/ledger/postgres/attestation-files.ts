/** Statements on attestation_files: the bytes of files attested as evidence, by tenant and SHA-256 (append-only). */
import type { Sql } from "./db.js";

/** Stores a file's bytes under its SHA-256; the same file stored again keeps the first row (they are the same bytes). */
export async function saveAttestationFile(sql: Sql, tenant: string, sha256: Uint8Array, bytes: Uint8Array): Promise<void> {
  await sql`insert into attestation_files (tenant, sha256, size, bytes)
    values (${tenant}, ${Buffer.from(sha256)}, ${bytes.byteLength}, ${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)})
    on conflict (tenant, sha256) do nothing`;
}

/** The bytes of the tenant's file with this SHA-256, when stored. */
export async function attestationFile(sql: Sql, tenant: string, sha256: Uint8Array): Promise<Uint8Array | undefined> {
  const [row] = await sql<{ bytes: Buffer }[]>`select bytes from attestation_files where tenant = ${tenant} and sha256 = ${Buffer.from(sha256)}`;
  return row ? new Uint8Array(row.bytes) : undefined;
}
