/**
 * The independent Go client (test/interop/tlogclient), built offline with Debian's Go and its
 * packaged golang.org/x/mod (golang-golang-x-mod-dev, installed under Debian's GOPATH). Built
 * once per run into the temporary directory; the build cache is kept there between runs.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./cli.js";

const run = promisify(execFile);
/** Where Debian installs Go library sources (dh-golang's GOPATH). */
const DEBIAN_GOPATH = "/usr/share/gocode";

export async function buildGoClient(): Promise<string> {
  const dir = join(tmpdir(), "sealtrail-go");
  await mkdir(dir, { recursive: true });
  const bin = join(dir, `tlogclient-${process.pid}`);
  await run("go", ["build", "-o", bin, join(ROOT, "test", "interop", "tlogclient", "main.go")], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GO111MODULE: "off", GOPATH: process.env.TEST_GOPATH ?? DEBIAN_GOPATH, GOCACHE: join(dir, "cache"), GOPROXY: "off", GOFLAGS: "" },
    timeout: 120_000,
  });
  return bin;
}

export async function goClient(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { timeout: 120_000, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
