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

/** Asserts `promise` rejects with an error of class `type` and code `code` (never the message). */
export async function expectCode(promise: Promise<unknown>, type: abstract new (...args: never[]) => Error, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as { code?: unknown }).code).toBe(code);
}
