/** Where a command writes: stdout/stderr in the CLI, buffers in tests. */
export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const processIO: CommandIO = {
  out: (s) => void process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => void process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};
