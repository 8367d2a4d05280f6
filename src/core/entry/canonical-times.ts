/**
 * canonicalTimestamp (entry.ts) for a stream of times given in milliseconds, as the pack
 * builder reads a million entries: the "YYYY-MM-DDT" of the last day met is kept and the time
 * of day is written from the milliseconds, instead of a Date and toISOString per value, which
 * cost more than the rest of reading a row. Each kind of time (occurred, recorded) keeps its
 * own: a log's entries follow one another within a day. The text is toISOString's, which
 * test/core/canonical-times.test.ts checks across days, years and the range of Date.
 */
import { canonicalTimestamp } from "./entry.js";

const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

export class CanonicalTimes {
  private day = Number.NaN;
  private dayText = "";

  /** canonicalTimestamp(new Date(ms)), ENTRY_INVALID for the same times it refuses. */
  text(ms: number): string {
    if (!Number.isInteger(ms)) return canonicalTimestamp(new Date(ms));
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      // Checked once a day: every time of a day has that day's year.
      const iso = canonicalTimestamp(new Date(ms));
      this.day = day;
      this.dayText = iso.slice(0, 11);
      return iso;
    }
    let t = ms - day * DAY_MS;
    const milli = t % 1000;
    t = (t - milli) / 1000;
    const s = t % 60;
    t = (t - s) / 60;
    const m = t % 60;
    const h = (t - m) / 60;
    return `${this.dayText}${TWO[h]}:${TWO[m]}:${TWO[s]}.${THREE[milli]}Z`;
  }
}
