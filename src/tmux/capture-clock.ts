/**
 * Microseconds since the Unix epoch for capture records: the monotonic clock's resolution,
 * anchored to the wall clock.
 *
 * The monotonic clock alone (performance.timeOrigin + performance.now()) falls behind the wall
 * clock when the wall clock steps forward after the process started (NTP, a resumed VM), and
 * its times then sort before records stamped by others from the wall clock (tmux's
 * session_created, a hook's `date +%s%N`). So the anchor moves forward with the wall clock;
 * it never moves back, so a backward step cannot reorder one process's own records.
 */
export interface Clocks {
  /** Wall clock, milliseconds since the epoch (Date.now). */
  wallMs(): number;
  /** Monotonic clock, milliseconds (performance.now). */
  monoMs(): number;
}

const SYSTEM: Clocks = { wallMs: () => Date.now(), monoMs: () => performance.now() };

/** Wall-clock drift tolerated before re-anchoring: Date.now's own resolution. */
const SLACK_MS = 1;

export function captureClock(clocks: Clocks = SYSTEM): () => number {
  let baseMs = clocks.wallMs();
  let anchorMs = clocks.monoMs();
  let lastUs = 0;
  return () => {
    const mono = clocks.monoMs();
    const wall = clocks.wallMs();
    if (wall - (baseMs + (mono - anchorMs)) > SLACK_MS) {
      baseMs = wall;
      anchorMs = mono;
    }
    const us = Math.max(lastUs, Math.round((baseMs + (mono - anchorMs)) * 1000));
    lastUs = us;
    return us;
  };
}

export const nowUs: () => number = captureClock();
