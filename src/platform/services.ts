/**
 * The servers under `sealtrail up`: the database (DATABASE_URL, else the embedded PostgreSQL)
 * and the queues (REDIS_URL, else a private redis-server from the PATH, else none: the jobs
 * then run in-process). Started in that order, stopped in the reverse.
 */
import { join } from "node:path";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./embedded-postgres.js";
import { findRedisServer, type PrivateRedis, startPrivateRedis } from "./private-redis.js";
import type { StateHome } from "./state-home.js";

export type QueueMode = "redis" | "private-redis" | "in-process";

export interface Services {
  databaseUrl: string;
  /** Undefined in the in-process mode. */
  redisUrl: string | undefined;
  queues: QueueMode;
  postgres: EmbeddedPostgres | undefined;
  redis: PrivateRedis | undefined;
  /** The database and queue lines of the start banner. */
  describe: string[];
  stop(): Promise<void>;
}

export async function startServices(home: StateHome, env: NodeJS.ProcessEnv): Promise<Services> {
  let postgres: EmbeddedPostgres | undefined;
  let redis: PrivateRedis | undefined;
  const describe: string[] = [];
  const stop = async () => {
    await redis?.stop();
    await postgres?.stop();
  };
  try {
    if (env.DATABASE_URL) {
      describe.push(`database  DATABASE_URL (${new URL(env.DATABASE_URL.replace(/\?.*$/, "")).host || "Unix socket"})`);
    } else {
      postgres = await startEmbeddedPostgres(home, join(home.logs, "postgres.log"));
      const who = postgres.user.as ? `, as OS user ${postgres.user.name}${postgres.user.created ? " (created now)" : ""}: PostgreSQL does not run as root` : "";
      describe.push(`database  embedded PostgreSQL 17 in ${join(home.root, "postgres")} (Unix socket only${who})`);
      if (postgres.recovered) describe.push(`          stopped the server an earlier sealtrail up left running (pid ${postgres.recovered})`);
    }
    let redisUrl = env.REDIS_URL || undefined;
    let queues: QueueMode = "redis";
    if (redisUrl) {
      describe.push("queues    REDIS_URL");
    } else {
      const binary = findRedisServer(env);
      if (binary) {
        redis = await startPrivateRedis(binary, home, join(home.logs, "redis.log"));
        redisUrl = redis.url;
        queues = "private-redis";
        describe.push(`queues    private redis-server (${binary}), append-only file in ${home.redis}`);
      } else {
        queues = "in-process";
        describe.push("queues    none: no REDIS_URL and no redis-server on the PATH; jobs run in this process");
        describe.push("          (a receipt is given only after the commit; see docs/zero-setup.md)");
      }
    }
    return { databaseUrl: env.DATABASE_URL || postgres!.url, redisUrl, queues, postgres, redis, describe, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
