/**
 * A boolean sent as text, in a header or a query parameter, as Falu's server reads one (.NET's
 * bool.TryParse): `true` or `false` in any case, so that Falu's SDKs work unchanged. Its Python
 * SDK sends Python's spelling, `X-Live-Mode: False`, on every request (docs/api.md). Anything
 * else is not a boolean: `1`, `yes` or an empty value is a 400 naming the header or parameter,
 * never read as a default.
 */
const BOOLEAN = /^(true|false)$/i;

/** true or false, or null when the value is neither. */
export function booleanText(value: string): boolean | null {
  const text = value.trim();
  return BOOLEAN.test(text) ? text.toLowerCase() === 'true' : null;
}
