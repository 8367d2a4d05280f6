/**
 * Which prefix of a log may move to the archive. The archive holds C2SP tlog-tiles for a tree
 * size that a signed checkpoint commits to, so that it verifies offline on its own: the range
 * ends at a checkpoint's size. It ends before the log's last entry, which the appender chains
 * from, and before every entry still within the hot window.
 */

/**
 * The end (exclusive) of the next archived range: the largest checkpoint size in
 * (archivedTo, min(hotFrom, size - 1)], or undefined when there is none.
 * `hotFrom`: the first seq recorded at or after the hot cutoff; `size`: the log's size.
 */
export function archiveBound(checkpointSizes: readonly number[], archivedTo: number, hotFrom: number, size: number): number | undefined {
  const limit = Math.min(hotFrom, size - 1);
  let best: number | undefined;
  for (const s of checkpointSizes) if (s > archivedTo && s <= limit && (best === undefined || s > best)) best = s;
  return best;
}
