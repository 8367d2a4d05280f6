/**
 * The exporters a build can use: the built-in ones and third-party modules named in
 * SEALTRAIL_PACK_EXPORTERS (paths, comma-separated). A module's default export (or its
 * `exporter` export) must be an Exporter; it is checked field by field, since it is code we
 * did not write, before any pack is built with it.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EXCEPTION_KINDS, type ControlSpec, type Exporter, type PopulationClause } from "./exporter.js";
import { BUILT_IN_EXPORTERS } from "./frameworks/index.js";
import { ATTRIBUTE_IDS } from "./attributes.js";
import { PackError } from "./pack-error.js";

const ID = /^[a-z][a-z0-9-]{0,31}$/;
const LOGS = ["subject", "audit"];

function invalid(where: string, message: string): PackError {
  return new PackError("EXPORTER_INVALID", `exporter ${where}: ${message}`);
}

const isText = (v: unknown, max = 1000): v is string => typeof v === "string" && v.trim() !== "" && v.length <= max;
const isTextList = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.length > 0 && v.every((x) => isText(x, 200)));

function checkClauses(where: string, at: string, clauses: readonly PopulationClause[]): void {
  clauses.forEach((p, j) => {
    if (!LOGS.includes(p?.log)) throw invalid(where, `${at}[${j}].log: want subject or audit`);
    if (!isTextList(p.kinds) || !isTextList(p.actions) || !isTextList(p.tags)) throw invalid(where, `${at}[${j}]: kinds, actions and tags must be non-empty lists of names`);
    if (p.outcome !== undefined && p.outcome !== "success" && p.outcome !== "failure") throw invalid(where, `${at}[${j}].outcome: want success or failure`);
  });
}

/** Throws EXPORTER_INVALID naming the first field that is not as the interface says. */
export function checkExporter(value: unknown, where: string): Exporter {
  const e = value as Partial<Exporter> | undefined;
  if (typeof e !== "object" || e === null) throw invalid(where, "the module exports no exporter object (default export or `exporter`)");
  if (typeof e.id !== "string" || !ID.test(e.id)) throw invalid(where, `id: got ${JSON.stringify(e.id)}, want lower-case letters, digits and - (max 32)`);
  if (!isText(e.framework, 200)) throw invalid(where, "framework: want a name");
  if (!isText(e.version, 200)) throw invalid(where, "version: want the framework version covered");
  if (!Array.isArray(e.controls) || e.controls.length === 0) throw invalid(where, "controls: want at least one control");
  const ids = new Set<string>();
  (e.controls as readonly ControlSpec[]).forEach((c, i) => {
    const at = `controls[${i}]`;
    if (!isText(c?.id, 64)) throw invalid(where, `${at}.id: want the requirement id`);
    if (ids.has(c.id)) throw invalid(where, `${at}.id: ${c.id} appears twice`);
    ids.add(c.id);
    if (!isText(c.summary, 300)) throw invalid(where, `${at}.summary: want a one-line summary of your own`);
    if (!isText(c.method, 1000)) throw invalid(where, `${at}.method: want how the control is tested`);
    if (!Array.isArray(c.population)) throw invalid(where, `${at}.population: want an array of clauses`);
    if (c.population.length === 0 && c.attestation !== true) throw invalid(where, `${at}: want a population or attestation: true`);
    checkClauses(where, `${at}.population`, c.population as readonly PopulationClause[]);
    if (c.operation !== undefined) {
      if (typeof c.operation !== "object" || c.operation === null || !isText(c.operation.needs, 300)) throw invalid(where, `${at}.operation.needs: want the evidence the control needs, in words`);
      if (!Array.isArray(c.operation.clauses) || c.operation.clauses.length === 0) throw invalid(where, `${at}.operation.clauses: want at least one clause`);
      checkClauses(where, `${at}.operation.clauses`, c.operation.clauses);
    }
    if (c.attributes !== undefined && (!Array.isArray(c.attributes) || !(c.attributes as readonly string[]).every((a) => (ATTRIBUTE_IDS as readonly string[]).includes(a)) || new Set(c.attributes).size !== c.attributes.length)) {
      throw invalid(where, `${at}.attributes: want distinct ones of ${ATTRIBUTE_IDS.join(", ")}`);
    }
    if (c.exceptions !== undefined && (!Array.isArray(c.exceptions) || !(c.exceptions as readonly string[]).every((k) => (EXCEPTION_KINDS as readonly string[]).includes(k)))) {
      throw invalid(where, `${at}.exceptions: want some of ${EXCEPTION_KINDS.join(", ")}`);
    }
  });
  if (e.render !== undefined && typeof e.render !== "function") throw invalid(where, "render: want a function");
  return e as Exporter;
}

/** Built-ins plus the modules at `paths` (relative paths from the working directory). */
export async function loadExporters(paths: readonly string[]): Promise<Map<string, Exporter>> {
  const all = new Map<string, Exporter>(BUILT_IN_EXPORTERS.map((e) => [e.id, e]));
  for (const path of paths) {
    const file = isAbsolute(path) ? path : resolve(path);
    let mod: { default?: unknown; exporter?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as typeof mod;
    } catch (error) {
      throw new PackError("EXPORTER_INVALID", `exporter ${path}: cannot load the module: ${(error as Error).message}`, { cause: error });
    }
    const exporter = checkExporter(mod.default ?? mod.exporter, path);
    if (all.has(exporter.id)) throw invalid(path, `id ${exporter.id} is taken by another exporter`);
    all.set(exporter.id, exporter);
  }
  return all;
}

export function findExporter(exporters: Map<string, Exporter>, id: string): Exporter {
  const e = exporters.get(id);
  if (!e) throw new PackError("INVALID_REQUEST", `framework: got ${JSON.stringify(id)}, want one of ${[...exporters.keys()].join(", ")}`);
  return e;
}
