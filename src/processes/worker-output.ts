/** Where a worker writes its JSON lines and its errors: the process's stdout and stderr, or a test's lists. */
export interface WorkerOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

export const STDIO: WorkerOutput = {
  stdout: (line) => void process.stdout.write(`${line}\n`),
  stderr: (line) => void process.stderr.write(`${line}\n`),
};
