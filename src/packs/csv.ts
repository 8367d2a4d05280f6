/** RFC 4180 CSV: a field is quoted when it holds a comma, quote, CR or LF; quotes are doubled. Pure. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | null)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

export const POPULATION_COLUMNS = ["log", "seq", "recorded_at", "occurred_at", "kind", "action", "actor", "resource", "outcome", "source", "tags", "leaf_hash"] as const;
