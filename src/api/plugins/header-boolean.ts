/**
 * A boolean request header as Falu's server reads one (.NET's bool.TryParse): `true` or
 * `false` in any case, so that Falu's SDKs work unchanged. Its Python SDK sends Python's
 * spelling, `X-Live-Mode: False`, on every request (docs/api.md).
 */
const BOOLEAN = /^(true|false)$/i;

/** true or false, or null when the value is neither. */
export function headerBoolean(value: string): boolean | null {
  const text = value.trim();
  return BOOLEAN.test(text) ? text.toLowerCase() === 'true' : null;
}
