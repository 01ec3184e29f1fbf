/**
 * Which endpoint `container:<target>` means. Pure.
 */
/**
 * The sandbox of the container named by `target`: full id, then name (with
 * or without the leading slash), then a unique id prefix. Never `selfId`.
 * Undefined when none (or an ambiguous prefix) matches.
 */
export function findJoinTarget<T extends { containerId: string; name: string }>(records: readonly T[], target: string, selfId: string): T | undefined {
  const others = records.filter((r) => r.containerId !== selfId);
  const name = target.startsWith('/') ? target.slice(1) : target;
  const exact = others.find((r) => r.containerId === target) ?? others.find((r) => r.name === name);
  if (exact !== undefined) return exact;
  if (target === '') return undefined;
  const byPrefix = others.filter((r) => r.containerId.startsWith(target));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}
