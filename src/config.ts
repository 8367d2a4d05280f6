/**
 * Configuration from the environment, read once at the edge (CLI, server, workers) and passed
 * inward. Every variable is listed in the README.
 */
export interface Config {
  /** DATABASE_URL: the Postgres the ledger lives in. */
  databaseUrl: string;
  /** SEALTRAIL_DB_SCHEMA: the Postgres schema holding the ledger tables. */
  schema: string;
  /** REDIS_URL: queues and pub/sub. */
  redisUrl: string;
  /** SEALTRAIL_SIGNING_KEY: path of the Ed25519 private key (PKCS8 PEM) that signs checkpoints. */
  signingKeyPath: string | undefined;
  /** SEALTRAIL_KEY_NAME: the signer's name in signed notes; else read from the .vkey beside the key. */
  keyName: string | undefined;
  /** SEALTRAIL_VERIFIER_KEY: the trusted note verifier key (vkey text, or a file holding it). */
  verifierKey: string | undefined;
  /** SEALTRAIL_MAX_PAYLOAD_BYTES: largest canonical payload accepted (default 1 MiB). */
  maxPayloadBytes: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const maxPayload = Number(env.SEALTRAIL_MAX_PAYLOAD_BYTES ?? 1 << 20);
  return {
    databaseUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    schema: env.SEALTRAIL_DB_SCHEMA || "sealtrail",
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
    signingKeyPath: env.SEALTRAIL_SIGNING_KEY || undefined,
    keyName: env.SEALTRAIL_KEY_NAME || undefined,
    verifierKey: env.SEALTRAIL_VERIFIER_KEY || undefined,
    maxPayloadBytes: Number.isSafeInteger(maxPayload) && maxPayload > 0 ? maxPayload : 1 << 20,
  };
}
