/* Go-duration parsing is @shoal/common's parseGoDuration (nanoseconds); this file only formats. */

/** Go's Duration.String() of a whole number of milliseconds or more, e.g. `1h30m0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = rest / 1000;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${Number(sec.toFixed(9))}s`;
  return (neg ? '-' : '') + out;
}
