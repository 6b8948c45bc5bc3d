// A monotonic clock in milliseconds for time bounds and durations. Not
// `performance.now()`: the first use of the global `performance` loads Node's
// perf_hooks, a millisecond or two of every run's start-up.
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
