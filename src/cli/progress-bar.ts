/**
 * A progress bar on stderr for long commands: redrawn in place on a terminal, at most every
 * 100 ms; one plain line per phase and per tenth when stderr is not a terminal and progress was
 * asked for; nothing otherwise (scripts keep a clean stderr).
 */
export interface ProgressBar {
  update(label: string, done: number, total: number): void;
  finish(): void;
}

export function progressBar(stream: NodeJS.WriteStream, forced: boolean): ProgressBar {
  const tty = stream.isTTY === true;
  if (!tty && !forced) return { update() {}, finish() {} };
  let last = 0;
  let lastLine = "";
  let drawn = false;
  return {
    update(label, done, total) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const now = Date.now();
        if (now - last < 100 && done < total) return;
        last = now;
        const width = 30;
        const filled = Math.round(fraction * width);
        stream.write(`\r${label.padEnd(8)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total}\x1b[K`);
        drawn = true;
      } else {
        const line = `${label} ${Math.floor(fraction * 10) * 10}%`;
        if (line === lastLine) return;
        lastLine = line;
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (tty && drawn) stream.write("\r\x1b[K");
    },
  };
}
