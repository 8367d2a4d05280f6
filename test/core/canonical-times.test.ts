import { describe, expect, it } from "vitest";
import { CanonicalTimes, canonicalTimestamp } from "../../src/core/entry/index.js";
import { CoreError } from "../../src/core/errors.js";

const reference = (ms: number) => canonicalTimestamp(new Date(ms));

describe("canonical times of a stream", () => {
  it("give canonicalTimestamp's text across days, years, leap days and the epoch, in and out of order", () => {
    const times = [
      "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "1999-12-31T23:59:59.999Z",
      "2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00.000Z", "2000-02-29T12:00:00.500Z", "1900-02-28T23:59:59.999Z",
      "2100-03-01T00:00:00.000Z", "0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "2026-11-22T09:05:07.010Z",
    ].map(Date.parse);
    const times2 = new CanonicalTimes();
    for (const order of [times, [...times].reverse(), [...times, ...times]]) for (const ms of order) expect(times2.text(ms)).toBe(reference(ms));
  });

  it("give every millisecond, second, minute and hour of a day as toISOString does", () => {
    const times = new CanonicalTimes();
    const got: string[] = [];
    const want: string[] = [];
    for (const day of [Date.UTC(2026, 0, 1), Date.UTC(1965, 5, 30)]) {
      const at = (ms: number) => (got.push(times.text(day + ms)), want.push(reference(day + ms)));
      for (let ms = 0; ms < 86_400_000; ms += 997) at(ms);
      for (let ms = 86_399_000; ms < 86_400_000; ms++) at(ms);
    }
    expect(got).toEqual(want);
  });

  it("refuse the times canonicalTimestamp refuses, however the cache stands", () => {
    const times = new CanonicalTimes();
    times.text(Date.parse("9999-12-31T12:00:00.000Z"));
    for (const ms of [Date.parse("+010000-01-01T00:00:00.000Z"), Date.parse("0000-12-31T23:59:59.999Z"), Number.NaN, Infinity]) {
      expect(() => times.text(ms)).toThrow(CoreError);
    }
    expect(times.text(Date.parse("9999-12-31T23:59:59.999Z"))).toBe("9999-12-31T23:59:59.999Z");
    expect(times.text(0.5)).toBe(reference(0.5));
  });
});
