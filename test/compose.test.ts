import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

describe("docker-compose.yml", () => {
  it("parses and defines postgres, redis, api, worker, ingest and evidence services wired to each other", () => {
    const compose = parse(readFileSync(new URL("../docker-compose.yml", import.meta.url), "utf8"), { merge: true }) as {
      services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
    };
    const services = compose.services;
    expect(Object.keys(services)).toEqual(expect.arrayContaining(["postgres", "redis", "api", "worker", "ingest", "evidence"]));
    expect(services.postgres!.image).toMatch(/^postgres:/);
    expect(services.redis!.image).toMatch(/^redis:/);
    expect(services.ingest!.command).toEqual(["worker", "--only", "ingest"]);
    expect(services.worker!.command).toEqual(["worker", "--only", "integrity"]);
    expect(services.evidence!.command).toEqual(["pack-worker"]);
    expect(services.evidence!.environment?.SEALTRAIL_PACK_DIR).toBe(services.api!.environment?.SEALTRAIL_PACK_DIR);
    for (const name of ["api", "worker", "ingest", "evidence"]) {
      const s = services[name]!;
      expect(s.build).toBe(".");
      expect(s.environment?.DATABASE_URL).toContain("@postgres:5432/");
      expect(s.environment?.REDIS_URL).toBe("redis://redis:6379");
      expect(Object.keys(s.depends_on ?? {})).toEqual(expect.arrayContaining(["postgres", "redis", "migrate"]));
    }
  });
});
