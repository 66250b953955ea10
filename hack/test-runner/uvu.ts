// Reading uvu's closing block. uvu (0.5) ends a file's run by writing to stdout:
//
//     Total:     3
//     Passed:    2
//     Skipped:   0
//     Duration:  1.23ms
//
// A test may print any of these words itself ("Total: 99"), so the parser takes only a complete block (the four
// lines in this order) and, of several, the last one: uvu writes its own after every test has run.

export interface UvuTotals {
  total: number;
  passed: number;
  skipped: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours
const ANSI = /\u001b\[[0-9;]*m/g;
const BLOCK =
  /^[ \t]*Total:[ \t]+(\d+)\r?\n[ \t]*Passed:[ \t]+(\d+)\r?\n[ \t]*Skipped:[ \t]+(\d+)\r?\n[ \t]*Duration:[ \t]+[\d.]+m?s[ \t]*$/gm;

/** The totals of uvu's last complete closing block in `stdout`, or undefined when there is none. */
export function parseUvuTotals(stdout: string): UvuTotals | undefined {
  let last: RegExpExecArray | undefined;
  for (const m of stdout.replace(ANSI, '').matchAll(BLOCK)) last = m;
  if (!last) return undefined;
  return { total: Number(last[1]), passed: Number(last[2]), skipped: Number(last[3]) };
}

const AT_END =
  /Total:[ \t]+\d+\r?\n[ \t]*Passed:[ \t]+\d+\r?\n[ \t]*Skipped:[ \t]+\d+\r?\n[ \t]*Duration:[ \t]+[\d.]+m?s\s*$/;

/** True when `stdout` ends with uvu's closing block: the file's tests are done and it should exit now. */
export function endsWithUvuTotals(stdout: string): boolean {
  return AT_END.test(stdout.slice(-1024).replace(ANSI, ''));
}
