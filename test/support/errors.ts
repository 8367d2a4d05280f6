import { expect } from "vitest";
import { CoreError } from "../../src/core/errors.js";

/** The CoreError code `fn` throws (asserting it throws a CoreError), or undefined. */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    return (err as CoreError).code;
  }
  return undefined;
}
