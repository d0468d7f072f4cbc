import { Injectable } from '@nestjs/common';

/** What the MQTT side did and refused, since start (for metrics and tests). */
@Injectable()
export class MqttCounters {
  /** Application events handed to the broker. */
  eventsPublished = 0;
  /** Events not published: an id that is not a safe topic level, a closed or unreachable broker. */
  eventsDropped = 0;
  /** `…/command/down` messages turned into 'application.downlink'. */
  commandsAccepted = 0;
  /** `…/command/down` messages refused by validation (each also a `log` event). */
  commandsRejected = 0;
  /** Retained `…/command/down` messages an external broker replayed; never enqueued again. */
  retainedCommandsIgnored = 0;
  /** Embedded broker: CONNECTs refused (unknown or revoked token, client id taken by another token). */
  loginsRefused = 0;
  /** Embedded broker: subscriptions refused (SUBACK 0x80). */
  subscriptionsRefused = 0;
  /** Embedded broker: publishes refused (the connection is closed, MQTT 3.1.1 §3.3.5). */
  publishesRefused = 0;
  /** Embedded broker: connections closed because their token was revoked. */
  revokedDisconnects = 0;
  /** Embedded broker: connections closed because the client did not read its messages fast enough. */
  slowClientsClosed = 0;
}
