import { ApplicationEvent, DeviceInfo, LogEvent } from '@lns/event-bus';
import { DeliveryFailure } from './delivery/endpoint-worker';
import { OutboxDelivery } from './outbox/outbox-delivery';

/** `context.integration` of the `log` events that report a webhook delivery given up. */
export const WEBHOOK_LOG_INTEGRATION = 'webhook';

/** A URL as shown in logs and events: scheme, host and path; the query may hold a secret. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

interface ParsedEvent {
  deviceInfo?: DeviceInfo;
  context?: Record<string, unknown>;
}

function parse(body: string): ParsedEvent {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' ? (v as ParsedEvent) : {};
  } catch {
    return {};
  }
}

/**
 * The `log` event that says a delivery was given up, for the application's other
 * integrations (MQTT, other webhooks) to see; `code` is UNKNOWN because ChirpStack's LogCode
 * has no integration code and applications parse it as that enum. Null when the delivery was
 * itself such a report: reporting its failure again could bounce between two failing
 * endpoints for ever (the caller logs it instead).
 */
export function failureReport(
  delivery: OutboxDelivery,
  webhook: { id: string; url: string },
  failure: DeliveryFailure,
  now = new Date(),
): ApplicationEvent | null {
  const event = parse(delivery.body);
  if (delivery.event === 'log' && event.context?.integration === WEBHOOK_LOG_INTEGRATION) return null;
  const deviceInfo: DeviceInfo = event.deviceInfo ?? {
    applicationId: delivery.applicationId,
    applicationName: '',
    deviceProfileId: '',
    deviceProfileName: '',
    deviceName: '',
    devEui: delivery.devEui,
    deviceClassEnabled: 'CLASS_A',
    tags: {},
  };
  const context: Record<string, string> = {
    integration: WEBHOOK_LOG_INTEGRATION,
    webhookId: webhook.id,
    url: displayUrl(webhook.url),
    event: delivery.event,
    deliveryId: delivery.deliveryId,
    failure: failure.kind,
    reason: failure.reason,
    attempts: String(delivery.attempts + (failure.kind === 'rejected' ? 1 : 0)),
  };
  if (failure.status !== undefined) context.status = String(failure.status);
  const payload: LogEvent = {
    time: now.toISOString(),
    deviceInfo,
    level: 'ERROR',
    code: 'UNKNOWN',
    description:
      failure.kind === 'rejected'
        ? `webhook ${displayUrl(webhook.url)} refused the ${delivery.event} event: ${failure.reason}`
        : `webhook ${displayUrl(webhook.url)}: ${delivery.event} event ${failure.reason}`,
    context,
  };
  return { type: 'log', applicationId: delivery.applicationId, devEui: delivery.devEui, payload };
}
