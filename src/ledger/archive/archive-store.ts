/**
 * Where archived ranges go: a small key-value interface, so that a directory (the default,
 * under the state directory) and S3-compatible object storage (with Object Lock) sit side by
 * side as tessera's drivers do. Keys are relative paths ("LOG/tile/0/000"); what is stored is
 * C2SP tlog-tiles plus the entries' rows (archive-layout.ts), readable without sealtrail.
 */
export interface ArchiveStore {
  /** A URL naming the archive (file:///…, s3://bucket/prefix), recorded with each range. */
  readonly location: string;
  /** Stores `data` at `key`, replacing it; durable when the promise resolves. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The bytes at `key`, undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
}
