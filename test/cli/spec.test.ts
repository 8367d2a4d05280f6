/**
 * The command spec is the one source of `sealtrail help`, the manual pages, the completions,
 * and docs/cli.md (with the help overview): each is regenerated here and compared with what is
 * built or committed, each manual page is rendered by man(1) (groff) and must read exactly as
 * `sealtrail help GROUP` prints it, and the completions are tried in real bash and zsh.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_NAMES } from "../../src/cli/main.js";
import { COMMAND_DOCS, PAGES } from "../../src/cli/spec/index.js";
import { manPages } from "../../src/cli/spec/man.js";
import { cliMarkdown } from "../../src/cli/spec/markdown.js";
import { USAGE } from "../../src/cli/usage.js";
import { ROOT, runCli } from "../support/cli.js";
import { until } from "../support/ingest.js";
import { testTmux } from "../support/tmux.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; man: string[] };
const MAN_DIR = join(ROOT, "dist", "man");

/** man(1)'s rendering of a page as plain text, without its header and footer lines. */
function rendered(file: string): string {
  const man = spawnSync("man", ["--warnings", "-l", file], { env: { PATH: process.env.PATH, MANWIDTH: "90", LANG: "C" }, encoding: "utf8" });
  expect(man.status, file).toBe(0);
  // groff's warnings (bad requests, lines it could not fit) would be on stderr.
  expect(man.stderr, file).toBe("");
  // Overstruck bold and underline (c BS c, _ BS c) to plain characters.
  const lines = man.stdout.replace(/.\x08/g, "").split("\n");
  while (lines.at(-1) === "") lines.pop();
  return lines.slice(2, -1).join("\n").replace(/\n+$/, "\n");
}

describe("the command spec", () => {
  it("documents exactly the commands the CLI runs", () => {
    expect(COMMAND_DOCS.map((c) => c.name).sort()).toEqual([...COMMAND_NAMES].sort());
    // ASCII only: a manual page then reads the same in every locale (man -l in LANG=C here).
    expect(JSON.stringify(PAGES)).toMatch(/^[\x20-\x7e]*$/);
  });

  it("is what docs/cli.md and the built manual pages say", () => {
    const cliDoc = readFileSync(join(ROOT, "docs", "cli.md"), "utf8");
    expect(cliDoc).toBe(cliMarkdown(PAGES));
    expect(cliDoc).toContain(USAGE);
    const pages = manPages(PAGES, pkg.version);
    expect(readdirSync(MAN_DIR).sort()).toEqual([...pages.keys()].sort());
    expect([...pkg.man].sort()).toEqual([...pages.keys()].map((name) => `dist/man/${name}`).sort());
    for (const [name, text] of pages) expect(readFileSync(join(MAN_DIR, name), "utf8"), name).toBe(text);
  });

  it("renders each manual page with man -l, and `help GROUP` prints the group's page as man does", async () => {
    const overview = rendered(join(MAN_DIR, "sealtrail.1"));
    for (const page of PAGES) expect(overview).toContain(`sealtrail-${page.name}(1)`);
    const helps = await Promise.all(PAGES.map((page) => runCli(["help", page.name], {})));
    PAGES.forEach((page, i) => {
      const help = helps[i]!;
      expect(help.code, page.name).toBe(0);
      expect(help.stdout, page.name).toBe(rendered(join(MAN_DIR, `sealtrail-${page.name}.1`)));
    });
    // A subcommand's --help is its group's page.
    const sub = await runCli(["keys", "api", "create", "--help"], {});
    expect(sub.stdout).toBe(helps[PAGES.findIndex((p) => p.name === "keys")]!.stdout);
  });

  it("help, --version and a help for no such command", async () => {
    const [help, version, unknown] = await Promise.all([runCli(["help"], {}), runCli(["--version"], {}), runCli(["help", "frobnicate"], {})]);
    expect(help).toEqual({ code: 0, stdout: USAGE, stderr: "" });
    expect(version).toEqual({ code: 0, stdout: `sealtrail ${pkg.version}\n`, stderr: "" });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^sealtrail: help: no command "frobnicate"; the commands: up, env, demo, migrate, keys, /);
  });
});

describe("shell completion, in real shells in a tmux pane", () => {
  const tmux = testTmux();
  beforeAll(() => void tmux.run("new-session", "-d", "-s", "completion", "-x", "200", "-y", "20", "sleep", "600"));
  afterAll(() => tmux.close());

  async function complete(shell: string, setup: string, typed: string, expected: string): Promise<void> {
    const pane = tmux.run("new-window", "-P", "-F", "#{pane_id}", ...shell.split(" ")).trim();
    tmux.run("send-keys", "-t", pane, "-l", `${setup}\n`);
    tmux.run("send-keys", "-t", pane, "-l", `clear; echo ready\n`);
    await until(`${shell} ready`, () => tmux.run("capture-pane", "-p", "-t", pane).split("\n").some((l) => l === "ready"));
    tmux.run("send-keys", "-t", pane, "-l", typed);
    tmux.run("send-keys", "-t", pane, "Tab");
    // capture-pane drops trailing spaces: the prompt's line must end in the completed word.
    await until(`${shell}: "${typed}" completes to "${expected}"`, () => tmux.run("capture-pane", "-p", "-t", pane).split("\n").some((l) => l.endsWith(expected)));
    tmux.run("kill-pane", "-t", pane);
  }

  it("bash: groups, subcommands and options", async () => {
    const setup = `eval "$(${process.execPath} ${join(ROOT, "bin", "sealtrail.js")} completion bash)"`;
    await complete("bash --norc --noprofile", setup, "sealtrail keys a", "sealtrail keys api");
    await complete("bash --norc --noprofile", setup, "sealtrail keys api cr", "sealtrail keys api create");
    await complete("bash --norc --noprofile", setup, "sealtrail emit --log prod --idem", "sealtrail emit --log prod --idempotency-key");
    await complete("bash --norc --noprofile", setup, "sealtrail help verify-p", "sealtrail help verify-pack");
  });

  it("zsh: groups, subcommands and options", async () => {
    const setup = `autoload -U compinit && compinit -u && eval "$(${process.execPath} ${join(ROOT, "bin", "sealtrail.js")} completion zsh)"`;
    await complete("zsh -f", setup, "sealtrail tmux shell-h", "sealtrail tmux shell-hook");
    await complete("zsh -f", setup, "sealtrail pack --framework soc2 --approval", "sealtrail pack --framework soc2 --approval-tag");
    await complete("zsh -f", setup, "sealtrail completion z", "sealtrail completion zsh");
  });
});
