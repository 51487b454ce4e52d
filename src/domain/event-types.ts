/**
 * The default event-type catalog: Falu's 77 event types (API version 2024-06-01, copied from
 * shared/falu-event-types.txt so nothing outside the project is read at run time) and hookd's
 * own operational types. The platform adds its own types through POST /v1/event_types.
 */
export const FALU_EVENT_TYPES: readonly string[] = [
  'customer.created',
  'customer.updated',
  'customer.redacted',
  'customer.tax_id.created',
  'customer.tax_id.updated',
  'customer.tax_id.deleted',
  'payment.method.created',
  'payment.method.updated',
  'payment.method.attached',
  'payment.method.detached',
  'product.created',
  'product.updated',
  'product.deleted',
  'price.created',
  'price.updated',
  'price.deleted',
  'coupon.created',
  'coupon.updated',
  'coupon.deleted',
  'discount.created',
  'discount.updated',
  'subscription.created',
  'subscription.updated',
  'subscription.cancelled',
  'invoice.created',
  'invoice.updated',
  'credit_note.created',
  'credit_note.updated',
  'money_statement.uploaded',
  'money_provider.created',
  'money_provider.updated',
  'money_provider.balance.updated',
  'payment.updated',
  'payment.succeeded',
  'payment.failed',
  'payment.authorization.request',
  'payment.authorization.created',
  'payment.authorization.updated',
  'payment.refund.created',
  'payment.refund.updated',
  'payment.refund.succeeded',
  'payment.refund.failed',
  'transfer.created',
  'transfer.updated',
  'transfer.succeeded',
  'transfer.failed',
  'transfer.reversal.created',
  'transfer.reversal.updated',
  'transfer.reversal.succeeded',
  'transfer.reversal.failed',
  'message.created',
  'message.scheduled',
  'message.sent',
  'message.failed',
  'message.delivered',
  'message.read',
  'message.cancelled',
  'message.redacted',
  'message.received',
  'message_batch.created',
  'message_batch.scheduled',
  'message_batch.cancelled',
  'message_batch.redacted',
  'message_template.created',
  'message_template.updated',
  'message_template.deleted',
  'message_suppression.created',
  'message_suppression.updated',
  'message_suppression.deleted',
  'file.created',
  'file.redacted',
  'identity_verification.created',
  'identity_verification.processing',
  'identity_verification.verified',
  'identity_verification.input_required',
  'identity_verification.cancelled',
  'identity_verification.redacted',
];

export const HOOKD_EVENT_TYPES: readonly string[] = [
  'webhook_endpoint.disabled',
  'webhook_endpoint.test',
];

export const DEFAULT_EVENT_TYPES: readonly string[] = [...FALU_EVENT_TYPES, ...HOOKD_EVENT_TYPES];

/** Characters in an event type's name at most; its form is EVENT_TYPE_PATTERN (api/schemas.ts). */
export const EVENT_TYPE_NAME_MAX = 100;

/** "payment.refund.failed" → "Occurs when a payment refund failed." — a readable default. */
export function describeEventType(name: string): string {
  const parts = name.split('.');
  const action = parts.pop() ?? '';
  const subject = parts.join(' ').replaceAll('_', ' ');
  const verb = action.replaceAll('_', ' ');
  const isPast = /(ed|failed|succeeded)$/.test(action);
  return `Occurs when a ${subject} ${isPast ? 'is ' + verb : verb}.`.replace(' is failed', ' failed').replace(' is succeeded', ' succeeded');
}
