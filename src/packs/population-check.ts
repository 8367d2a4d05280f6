import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CheckList } from "./pack-checks.js";
import { csvRecords } from "./pack-reading.js";

/** Population files hold the counts controls.json states. */
export async function checkPopulations(dir: string, checks: CheckList): Promise<void> {
  try {
    const controls = JSON.parse(await readFile(join(dir, "controls.json"), "utf8")) as { controls: { id: string; population: { file: string; count: number; sha256: string } | null }[] };
    let ok = true;
    for (const c of controls.controls) {
      if (!c.population) continue;
      const { records, digest } = await csvRecords(join(dir, c.population.file));
      const rows = records - 1; // the header
      if (rows !== c.population.count || digest !== c.population.sha256) {
        checks.fail("populations", `${c.population.file}: ${rows} rows, controls.json says ${c.population.count} (or its SHA-256 differs)`, c.population.file);
        ok = false;
      }
    }
    if (ok) checks.pass("populations", "every population file has the row count and SHA-256 that controls.json states");
  } catch (error) {
    checks.fail("populations", `controls.json: ${(error as Error).message}`, "controls.json");
  }
}
