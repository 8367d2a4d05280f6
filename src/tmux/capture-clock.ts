/** Microseconds since the Unix epoch, from the monotonic clock so a clock step cannot reorder reads. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
