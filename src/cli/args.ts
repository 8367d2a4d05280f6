/**
 * Option parsing on node:util parseArgs. Every option value is attacker-free but
 * operator-typed: anything malformed is a CliError USAGE naming the command and option.
 */
import { CliError } from "./cli-error.js";

/** Runs a parseArgs call, turning its ERR_PARSE_ARGS_* TypeErrors into usage errors. */
export function parseOrUsage<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")) {
      throw new CliError("USAGE", `${command}: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}

/** The value of a required option. */
export function required(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new CliError("USAGE", `${command}: missing required option --${name}`);
  return value;
}

/** Exactly one positional argument per entry of `names` (used in messages). */
export function positionals(command: string, got: string[], names: string[]): string[] {
  if (got.length < names.length) throw new CliError("USAGE", `${command}: missing ${names.slice(got.length).join(" ")}`);
  if (got.length > names.length) throw new CliError("USAGE", `${command}: unexpected argument ${JSON.stringify(got[names.length])}`);
  return got;
}

const COUNT = /^(0|[1-9][0-9]*)$/;

/** A non-negative decimal integer, written plainly: "1e3", "-1", "0x10", "01" and "1.0" are refused. */
export function parseCount(command: string, name: string, text: string): number {
  const n = COUNT.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new CliError("USAGE", `${command}: --${name}: got ${JSON.stringify(text)}, want a non-negative integer`);
  }
  return n;
}

export function parseChoice<C extends string>(command: string, name: string, text: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(text)) {
    throw new CliError("USAGE", `${command}: --${name}: got ${JSON.stringify(text)}, want ${choices.join(" or ")}`);
  }
  return text as C;
}
