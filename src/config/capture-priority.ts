/**
 * SEALTRAIL_TMUX_CAPTURE_PRIORITY: the CPU scheduling of tmux captures, SCHED_IDLE (idle, the
 * default) or the normal class. Why idle, and what it costs: tmux/capture-priority.ts.
 */
export const CAPTURE_PRIORITIES = ["idle", "normal"] as const;
export type CapturePriority = (typeof CAPTURE_PRIORITIES)[number];
export const DEFAULT_CAPTURE_PRIORITY: CapturePriority = "idle";
