import { describe, expect, it } from "vitest";
import { captureClock } from "../../src/tmux/capture-clock.js";

function fake(wall: number, mono: number) {
  const c = { wall, mono, wallMs: () => c.wall, monoMs: () => c.mono };
  return c;
}

describe("capture clock", () => {
  it("follows a forward wall-clock step, so its times never sort before the wall clock's", () => {
    const c = fake(1_000_000, 50);
    const now = captureClock(c);
    expect(now()).toBe(1_000_000_000);
    c.mono += 10;
    c.wall += 10;
    expect(now()).toBe(1_000_010_000);
    // The wall clock steps 5 s forward while the monotonic clock advances 1 ms.
    c.mono += 1;
    c.wall += 5_001;
    expect(now()).toBe(1_005_011_000);
  });

  it("keeps sub-millisecond resolution between wall-clock ticks", () => {
    const c = fake(2_000, 0);
    const now = captureClock(c);
    c.mono = 0.25;
    expect(now()).toBe(2_000_250);
  });

  it("never goes back when the wall clock steps backward", () => {
    const c = fake(1_000_000, 0);
    const now = captureClock(c);
    c.mono = 5;
    c.wall = 900_000;
    const a = now();
    c.mono = 6;
    const b = now();
    expect(a).toBe(1_000_005_000);
    expect(b).toBe(1_000_006_000);
  });
});
