/**
 * Sweeps of one log over the last 30 or 90 days: each sweep a point at its time and duration,
 * coloured by its result. Drawn by uPlot (loaded only on the pages that chart), with a table
 * of the same numbers beside it for screen readers.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface SweepPoint {
  at: string;
  durationMs: number;
  result: string;
}

const COLOURS: Record<string, string> = { verified: "#17663a", tampered: "#a61b1b", error: "#8a5a00" };

export default function SweepChart({ points, days, label }: { points: SweepPoint[]; days: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const since = Date.now() / 1000 - days * 86400;
    const shown = points.filter((p) => Date.parse(p.at) / 1000 >= since).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const xs = shown.map((p) => Date.parse(p.at) / 1000);
    const series = ["verified", "tampered", "error"].map((r) => shown.map((p) => (p.result === r ? p.durationMs : null)));
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 220,
        scales: { x: { time: true, range: [since, Date.now() / 1000] } },
        axes: [{ stroke: "#5a6b69" }, { stroke: "#5a6b69", label: "duration (ms)", size: 60 }],
        series: [
          {},
          ...["verified", "tampered", "error"].map((r) => ({ label: r, stroke: COLOURS[r], width: 0, points: { show: true, size: 8, fill: COLOURS[r], stroke: COLOURS[r] } })),
        ],
        legend: { show: true },
      },
      [xs, ...series] as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 220 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [points, days]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
