import { MqttCounters } from '@lns/application';
import { SnapshotMetrics } from '@lns/api';

export interface ApplicationSources {
  mqtt?: Readonly<MqttCounters>;
  /** True while the MQTT side can publish (embedded broker listening, or external broker connected). */
  brokerUp?: () => boolean;
}

/** The application side: events to MQTT, commands from it, what the embedded broker refused. */
export function registerApplicationMetrics(m: SnapshotMetrics, src: ApplicationSources): void {
  const { mqtt, brokerUp } = src;
  if (brokerUp) {
    m.gauge(
      'lns_mqtt_broker_up',
      '1 while MQTT is up (embedded broker listening, external one connected).',
      () => (brokerUp() ? 1 : 0),
    );
  }
  if (!mqtt) return;
  m.counter('lns_mqtt_events_total', 'Application events for MQTT, by result.', () => [
    { labels: { result: 'published' }, value: mqtt.eventsPublished },
    { labels: { result: 'dropped' }, value: mqtt.eventsDropped },
  ]);
  m.counter('lns_mqtt_commands_total', 'Downlink commands received over MQTT, by result.', () => [
    { labels: { result: 'accepted' }, value: mqtt.commandsAccepted },
    { labels: { result: 'rejected' }, value: mqtt.commandsRejected },
    { labels: { result: 'retained_ignored' }, value: mqtt.retainedCommandsIgnored },
  ]);
  m.counter('lns_mqtt_refused_total', 'What the embedded broker refused to clients.', () => [
    { labels: { what: 'login' }, value: mqtt.loginsRefused },
    { labels: { what: 'subscribe' }, value: mqtt.subscriptionsRefused },
    { labels: { what: 'publish' }, value: mqtt.publishesRefused },
  ]);
  m.counter(
    'lns_mqtt_slow_clients_closed_total',
    'Embedded broker connections closed for not reading (more than 4 MiB the kernel would not take).',
    () => mqtt.slowClientsClosed,
  );
  m.counter(
    'lns_mqtt_revoked_disconnects_total',
    'Embedded broker connections closed because their token was revoked.',
    () => mqtt.revokedDisconnects,
  );
}
