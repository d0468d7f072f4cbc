import { Registry } from 'prom-client';
import { MqttCounters } from '@lns/application';
import { registerApplicationMetrics } from './application.metrics';
import { SnapshotMetrics } from '@lns/api';

describe('application metrics', () => {
  it('reports MQTT events, commands and refusals, and whether the broker is up', async () => {
    const mqtt = new MqttCounters();
    Object.assign(mqtt, {
      eventsPublished: 9,
      eventsDropped: 1,
      commandsAccepted: 2,
      loginsRefused: 3,
      slowClientsClosed: 4,
    });
    let up = true;
    const registry = new Registry();
    registerApplicationMetrics(new SnapshotMetrics(registry), { mqtt, brokerUp: () => up });
    let text = await registry.metrics();
    expect(text).toContain('lns_mqtt_events_total{result="published"} 9');
    expect(text).toContain('lns_mqtt_events_total{result="dropped"} 1');
    expect(text).toContain('lns_mqtt_commands_total{result="accepted"} 2');
    expect(text).toContain('lns_mqtt_refused_total{what="login"} 3');
    expect(text).toContain('lns_mqtt_slow_clients_closed_total 4');
    expect(text).toContain('lns_mqtt_broker_up 1');
    up = false;
    text = await registry.metrics();
    expect(text).toContain('lns_mqtt_broker_up 0');
  });
});
