/**
 * The archive a location names: a directory path or file: URL (DirectoryArchive). An s3: URL
 * is the seam for S3-compatible object storage (an ArchiveStore over its PUT and GET, with
 * Object Lock on the bucket), not built yet: it is refused with INVALID_INPUT.
 */
import { fileURLToPath } from "node:url";
import { LedgerError } from "../errors.js";
import type { ArchiveStore } from "./archive-store.js";
import { DirectoryArchive } from "./directory-archive.js";

export function openArchive(location: string): ArchiveStore {
  if (location.startsWith("file:")) return new DirectoryArchive(fileURLToPath(location));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new LedgerError("INVALID_INPUT", `archive ${location}: only directories (a path or a file: URL) are supported`);
  if (location === "") throw new LedgerError("INVALID_INPUT", "archive: an empty location");
  return new DirectoryArchive(location);
}
