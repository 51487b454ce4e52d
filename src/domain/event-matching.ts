/**
 * Which endpoint subscriptions cover an event type (docs/delivery.md). Pure: the store's fan-out,
 * endpoint validation and `hookd listen --events` all use this one definition.
 *
 * A pattern is an exact type, `*` (every type), or `prefix.*` (every type that starts with
 * `prefix.`, at any depth: `payment.*` covers `payment.refund.failed`).
 */
export function patternCovers(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function subscriptionCovers(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => patternCovers(p, type));
}

export function isWildcard(pattern: string): boolean {
  return pattern === '*' || pattern.endsWith('.*');
}
