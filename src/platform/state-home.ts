/**
 * The state directory of `sealtrail up` (SEALTRAIL_HOME, default ./.sealtrail): everything a
 * local instance keeps lives under it, so removing it is a complete reset.
 */
import { resolve, join } from "node:path";

export const DEFAULT_HOME = ".sealtrail";

export interface StateHome {
  root: string;
  /** The PostgreSQL cluster (initdb's data directory). */
  pgData: string;
  /** The cluster's Unix socket directory (no TCP port is opened). */
  pgSocket: string;
  /** Ed25519 keys generated on the first start (signing-key.pem is 0600). */
  keys: string;
  /** Copies of every signed checkpoint, outside the database (SEALTRAIL_WITNESS_DIR). */
  witness: string;
  /** Entries past their hot window, as C2SP tlog-tiles and rows (SEALTRAIL_ARCHIVE_DIR). */
  archive: string;
  /** tmux capture spools (SEALTRAIL_SPOOL_DIR). */
  spool: string;
  /** Evidence packs built through the API (SEALTRAIL_PACK_DIR). */
  packs: string;
  /** The private redis-server's append-only file. */
  redis: string;
  /** Output of the workers, one JSON line per job. */
  logs: string;
  /** The running instance's connection settings, read by `sealtrail env` (0600). */
  upFile: string;
  /** The password of the services' database login, generated on the first start (0600). */
  servicePassword: string;
}

export function stateHome(env: NodeJS.ProcessEnv, cwd = process.cwd()): StateHome {
  const root = resolve(cwd, env.SEALTRAIL_HOME || DEFAULT_HOME);
  return {
    root,
    pgData: join(root, "postgres", "data"),
    pgSocket: join(root, "postgres", "run"),
    keys: join(root, "keys"),
    witness: join(root, "witness"),
    archive: join(root, "archive"),
    spool: join(root, "spool"),
    packs: join(root, "packs"),
    redis: join(root, "redis"),
    logs: join(root, "logs"),
    upFile: join(root, "up.json"),
    servicePassword: join(root, "db-service-password"),
  };
}
