/**
 * Loading the object a URL names: every route that reads one by id answers the same 404 when
 * the store has none, whether it never existed or belongs to another workspace or mode (scoped
 * reads answer null for both, so ids cannot be probed; docs/security.md, "Tenant and mode
 * isolation").
 */
import { HookdError } from '../domain/errors.js';

/** The store's answer, or the 404 for `what` (a name such as 'Webhook endpoint') and `id`. */
export async function orNotFound<T>(lookup: Promise<T | null>, what: string, id: string): Promise<T> {
  const found = await lookup;
  if (found === null) throw HookdError.notFound(what, id);
  return found;
}
