/**
 * Entries per UTC day of one log, one bar series per kind, over the last 30 or 90 days; drawn
 * by uPlot (loaded with the sweeps chart, only on the Overview) with the same numbers in a
 * table for screen readers.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface DayCount {
  day: string;
  kind: string;
  count: number;
}

const PALETTE = ["#1f6f6b", "#c27c0e", "#5b4bb7", "#a61b1b", "#2f7fc1", "#6b8e23", "#8a5a00", "#b03a88"];
const DAY = 86_400;

export function perDay(rows: DayCount[], days: number, now = Date.now()): { xs: number[]; kinds: string[]; series: (number | null)[][] } {
  const today = Math.floor(now / 1000 / DAY) * DAY;
  const xs = Array.from({ length: days }, (_, i) => today - (days - 1 - i) * DAY);
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  const series = kinds.map((k) => {
    const byDay = new Map(rows.filter((r) => r.kind === k).map((r) => [Math.floor(Date.parse(r.day) / 1000), r.count]));
    return xs.map((x) => byDay.get(x) ?? 0);
  });
  return { xs, kinds, series };
}

export default function ActivityChart({ rows, days, label }: { rows: DayCount[]; days: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { xs, kinds, series } = perDay(rows, days);
    // Stacked: each kind's bar stands on the kinds before it. uPlot draws series in order, so
    // the tallest (every kind) is drawn first and each shorter stack over it; the legend shows
    // each kind's own count.
    const stacked = series.map((_, i) => xs.map((__, d) => series.slice(0, i + 1).reduce((n, s) => n + (s[d] ?? 0), 0)));
    const order = kinds.map((_, i) => kinds.length - 1 - i);
    const bars = uPlot.paths.bars!({ size: [0.8, 24] });
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 220,
        scales: { x: { time: true } },
        axes: [{ stroke: "#5a6b69" }, { stroke: "#5a6b69", label: "entries per day", size: 60 }],
        series: [{}, ...order.map((i) => ({ label: kinds[i], stroke: PALETTE[i % PALETTE.length], fill: PALETTE[i % PALETTE.length], paths: bars, points: { show: false }, value: (_u: uPlot, _v: number | null, _s: number, d: number | null) => (d == null ? "--" : String(series[i]![d] ?? 0)) }))],
        legend: { show: true },
      },
      [xs, ...order.map((i) => stacked[i]!)] as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 220 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [rows, days]);
  return <div ref={box} className="chart" role="img" aria-label={label} data-testid="activity-chart" />;
}
