// Waits on a predicate, never on a fixed delay: polls until it holds or the
// deadline passes, then fails with what was last seen.
export async function waitFor(pred: () => boolean, describe: () => string = () => '', timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`waitFor: condition not met within ${timeoutMs} ms\n${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
