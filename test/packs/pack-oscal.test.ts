/**
 * OSCAL a GRC tool can follow: the assessment results import the plan in the same directory;
 * every control and objective id they name resolves to the pack's catalog (our summaries);
 * observations name their origin (the sealtrail tool) and subjects (the logs, as components),
 * and their evidence hrefs resolve from oscal/ to files of the pack, each with a back-matter
 * resource whose SHA-256, where given, is the file's; findings come from the control tests,
 * exceptions are risks, and no observation claims method TEST where no test ran.
 *
 * Schemas: the results are validated against NIST's official OSCAL 1.0.6 assessment-results
 * schema (test/fixtures/oscal). NIST's catalog and assessment-plan schemas are not in the
 * fixtures (nor in any npm package); the plan and the catalog are validated against a root
 * assembly written here from those models' required fields, whose every part (metadata,
 * back-matter, reviewed controls, subjects, assets, tasks, components, parts, properties) is
 * the official definition from that same NIST schema.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPack } from "../../src/packs/build-pack.js";
import type { Exporter } from "../../src/packs/exporter.js";
import { gdpr } from "../../src/packs/frameworks/gdpr.js";
import { hipaa } from "../../src/packs/frameworks/hipaa.js";
import { iso27001 } from "../../src/packs/frameworks/iso27001.js";
import { pciDss } from "../../src/packs/frameworks/pci-dss.js";
import { soc2 } from "../../src/packs/frameworks/soc2.js";
import { verifyPack } from "../../src/packs/verify-pack.js";
import { testKey } from "../support/keys.js";
import { freshLedger, type TestLedger } from "../support/ledger.js";
import { ORIGIN_PREFIX, packWorkdir, seedPackLedger, SMALL_SOC2_REQUEST } from "../support/packs.js";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..", "..");
const key = testKey();
let ledger: TestLedger;
let work: string;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const official = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "oscal", "oscal_assessment-results_schema.json"), "utf8")) as Json;
const ref = (id: string) => ({ $ref: id });
const list = (item: unknown) => ({ type: "array", minItems: 1, items: item });

/** The official schema with its root replaced by another model's root assembly, built of the official definitions. */
function rootedAt(name: string, root: Json): Json {
  const { $id: _id, properties: _p, required: _r, ...rest } = official;
  return { ...rest, type: "object", properties: { [name]: root }, required: [name], additionalProperties: false };
}

const PLAN = rootedAt("assessment-plan", {
  type: "object",
  properties: {
    uuid: ref("#/definitions/UUIDDatatype"),
    metadata: ref("#assembly_oscal-metadata_metadata"),
    "import-ssp": ref("#assembly_oscal-assessment-common_import-ssp"),
    "local-definitions": { type: "object", properties: { components: list(ref("#assembly_oscal-implementation-common_system-component")) }, additionalProperties: false },
    "reviewed-controls": ref("#assembly_oscal-assessment-common_reviewed-controls"),
    "assessment-subjects": list(ref("#assembly_oscal-assessment-common_assessment-subject")),
    "assessment-assets": ref("#assembly_oscal-assessment-common_assessment-assets"),
    tasks: list(ref("#assembly_oscal-assessment-common_task")),
    "back-matter": ref("#assembly_oscal-metadata_back-matter"),
  },
  required: ["uuid", "metadata", "import-ssp", "reviewed-controls"],
  additionalProperties: false,
});

const CATALOG = rootedAt("catalog", {
  type: "object",
  properties: {
    uuid: ref("#/definitions/UUIDDatatype"),
    metadata: ref("#assembly_oscal-metadata_metadata"),
    controls: list({
      type: "object",
      properties: {
        id: ref("#/definitions/TokenDatatype"),
        class: ref("#/definitions/TokenDatatype"),
        title: { type: "string" },
        props: list(ref("#assembly_oscal-metadata_property")),
        links: list(ref("#assembly_oscal-metadata_link")),
        parts: list(ref("#assembly_oscal-control-common_part")),
      },
      required: ["id", "title"],
      additionalProperties: false,
    }),
    "back-matter": ref("#assembly_oscal-metadata_back-matter"),
  },
  required: ["uuid", "metadata"],
  additionalProperties: false,
});

function validator(schema: Json) {
  const ajv = new Ajv.default({ strict: false, allErrors: true, unicodeRegExp: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
const validate = { results: validator(official), plan: validator(PLAN), catalog: validator(CATALOG) };

const read = (dir: string, file: string): Json => JSON.parse(readFileSync(join(dir, file), "utf8"));
const packs = new Map<string, string>();

beforeAll(async () => {
  ledger = await freshLedger("packoscal");
  ({ work } = packWorkdir("packoscal", key));
  await seedPackLedger(ledger.writer, key.privateKey);
  for (const exporter of [soc2, hipaa, pciDss, iso27001, gdpr] as Exporter[]) {
    const dir = join(work, exporter.id);
    await buildPack({ store: ledger.store, exporter, out: dir, packKey: key.privateKey, checkpointKey: key.privateKey, generator: { name: "sealtrail", version: "test" }, originPrefix: ORIGIN_PREFIX, request: { ...SMALL_SOC2_REQUEST, framework: exporter.id } });
    packs.set(exporter.id, dir);
  }
}, 240_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.each(["soc2", "hipaa", "pci-dss", "iso27001", "gdpr"])("OSCAL of a %s pack", (id) => {
  const dir = () => packs.get(id)!;

  it("is valid: the results against NIST's schema, the plan and the catalog against NIST's definitions", () => {
    for (const [name, file] of [["results", "oscal/assessment-results.json"], ["plan", "oscal/assessment-plan.json"], ["catalog", "oscal/catalog.json"]] as const) {
      const doc = read(dir(), file);
      expect(validate[name](doc), `${file}: ${JSON.stringify(validate[name].errors?.slice(0, 3))}`).toBe(true);
      // Each schema can say no: the document without its uuid fails.
      const root = Object.keys(doc)[0]!;
      delete doc[root].uuid;
      expect(validate[name](doc), file).toBe(false);
    }
  });

  it("resolves: results → plan → catalog, control and objective ids, subjects, origins, evidence and its hashes", () => {
    const ar = read(dir(), "oscal/assessment-results.json")["assessment-results"];
    const ap = read(dir(), "oscal/assessment-plan.json")["assessment-plan"];
    const catalog = read(dir(), "oscal/catalog.json").catalog;
    expect(existsSync(join(dir(), "oscal", ar["import-ap"].href))).toBe(true);
    expect(ar["import-ap"].href).toBe("assessment-plan.json");
    expect(existsSync(join(dir(), "oscal", ap["import-ssp"].href))).toBe(true);
    const controlIds = new Set(catalog.controls.map((c: Json) => c.id));
    const partIds = new Set(catalog.controls.flatMap((c: Json) => c.parts.map((p: Json) => p.id)));
    const result = ar.results[0];
    for (const reviewed of [result["reviewed-controls"], ap["reviewed-controls"]]) {
      for (const c of reviewed["control-selections"][0]["include-controls"]) expect(controlIds, c["control-id"]).toContain(c["control-id"]);
      for (const o of reviewed["control-objective-selections"][0]["include-objectives"]) expect(partIds, o["objective-id"]).toContain(o["objective-id"]);
    }
    for (const f of result.findings) expect(partIds, f.target["target-id"]).toContain(f.target["target-id"]);
    // Catalog statements are our summaries, labelled with the framework's own ids.
    const { controls } = read(dir(), "controls.json");
    expect(catalog.controls.map((c: Json) => c.props.find((p: Json) => p.name === "label").value)).toEqual(controls.map((c: Json) => c.id));
    const components = new Set(result["local-definitions"].components.map((c: Json) => c.uuid));
    expect(new Set(ap["local-definitions"].components.map((c: Json) => c.uuid))).toEqual(components);
    const tools = new Set(result["local-definitions"]["assessment-assets"].components.map((c: Json) => c.uuid));
    const resources = new Map(ar["back-matter"].resources.map((r: Json) => [r.uuid, r]));
    for (const o of result.observations) {
      expect(o.origins[0].actors.every((a: Json) => a.type === "tool" && tools.has(a["actor-uuid"])), o.title).toBe(true);
      for (const s of o.subjects ?? []) expect(components, o.title).toContain(s["subject-uuid"]);
      for (const e of o["relevant-evidence"] ?? []) {
        expect(existsSync(join(dir(), "oscal", e.href)), `${o.title}: ${e.href}`).toBe(true);
        expect(resources.has(e.links[0].href.slice(1)), e.links[0].href).toBe(true);
      }
    }
    let hashed = 0;
    for (const r of resources.values() as Iterable<Json>) {
      const path = join(dir(), "oscal", r.rlinks[0].href);
      expect(existsSync(path), r.title).toBe(true);
      for (const h of r.rlinks[0].hashes ?? []) {
        expect(h.algorithm).toBe("SHA-256");
        expect(createHash("sha256").update(readFileSync(path)).digest("hex"), r.title).toBe(h.value);
        hashed++;
      }
      if (!r.rlinks[0].hashes) expect(statSync(path).isDirectory() || readFileSync(join(dir(), "SHA256SUMS"), "utf8").includes(`  ${r.title}\n`), r.title).toBe(true);
    }
    expect(hashed).toBeGreaterThan(2);
  });

  it("models the tests: findings from the results, exceptions as risks, TEST only where a test ran", () => {
    const result = read(dir(), "oscal/assessment-results.json")["assessment-results"].results[0];
    const { controls, exceptions } = read(dir(), "controls.json");
    expect(result.risks?.length ?? 0).toBe(exceptions.length);
    for (const [i, c] of (controls as Json[]).entries()) {
      const finding = result.findings[i];
      const observation = result.observations.find((o: Json) => o.uuid === finding["related-observations"][0]["observation-uuid"]);
      expect(finding.target.status.state, c.id).toBe(c.result === "satisfied" ? "satisfied" : "not-satisfied");
      if (c.result === "not tested") {
        expect(finding.target.status.reason, c.id).toBe("other");
        expect(observation.methods, c.id).not.toContain("TEST");
      }
      // A control whose only exceptions are deviations of its sample (a failed attribute) has no risk of the register to name.
      if (c.result === "exceptions" && c.exceptions.length > 0) expect(finding["related-risks"].length, c.id).toBe(c.exceptions.length);
    }
    for (const r of result.risks ?? []) expect(r.statement).toMatch(/^Root cause: .*\. Management response: .*\.$/);
  });
});

it("the packs verify, their OSCAL documents re-derived byte for byte", async () => {
  const report = await verifyPack(packs.get("iso27001")!, { checkpointKeys: [key.publicKey] });
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.find((c) => c.check === "derived")?.message).toContain("oscal/assessment-plan.json, oscal/catalog.json");
});
