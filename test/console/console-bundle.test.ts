/**
 * The console `sealtrail serve` serves is React's production build, however dist/ was brought up
 * to date: vitest's globalSetup runs the build with NODE_ENV=test, and Vite, which takes NODE_ENV
 * as it finds it, then chose React's development JSX runtime (jsxDEV: slower, larger, warnings
 * in the page).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "..", "..", "dist", "console");

describe("the console's bundle", () => {
  it("is the production build: no development JSX runtime in any script", () => {
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).not.toMatch(/jsx-dev-runtime/);
    const scripts = readdirSync(join(dir, "assets")).filter((f) => f.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    for (const f of scripts) expect(readFileSync(join(dir, "assets", f), "utf8"), f).not.toMatch(/\bjsxDEV\b|react-jsx-dev-runtime\.development/);
  });
});
