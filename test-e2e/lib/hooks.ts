// uvu 0.5 drops the error of a test.before hook: it runs none of the file's tests, prints nothing and exits 0 (the
// runner counts the file as failed, docs/testing.md, but cannot say why). A suite's setup goes through loudly(),
// which prints the error before passing it on: `test.before(loudly('apply the CRD', ensureCrd))`.
export function loudly(what: string, fn: () => unknown): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (err) {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`test.before failed (${what}); no test of this file runs:\n${text}\n`);
      throw err;
    }
  };
}
