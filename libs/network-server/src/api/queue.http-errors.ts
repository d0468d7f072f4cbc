import { ErrorStatus, mapError } from '@lns/api';
import { QueueError, QueueErrorKind } from '../queue/queue-item';

const STATUS: Record<QueueErrorKind, ErrorStatus> = {
  DEVICE_NOT_FOUND: 404,
  QUEUE_FULL: 409,
  INVALID: 400,
};

/** A refused enqueue (REST; MQTT `command/down` answers the same error otherwise): the field at fault. */
export const queueRefused = mapError(QueueError, (err) => ({
  status: STATUS[err.kind] ?? 400,
  field: err.field,
  reason: err.reason,
}));
