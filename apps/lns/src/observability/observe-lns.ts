import { Abstract, INestApplicationContext, Type } from '@nestjs/common';
import { MetricsService, ReadinessRegistry } from '@lns/api';
import { MqttCounters, MqttPublisher } from '@lns/application';
import { GatewayBridgeService, GatewayService, IntakeGuard } from '@lns/gateway-bridge';
import { JoinServerService } from '@lns/join-server';
import { DeviceQueueService, NetworkCounters, SessionStore } from '@lns/network-server';
import { registerApplicationMetrics } from './application.metrics';
import { registerGatewayMetrics } from './gateway.metrics';
import { registerJoinServerMetrics } from './join-server.metrics';
import { mqttStatus } from './mqtt-status';
import { registerNetworkServerMetrics } from './network-server.metrics';

/**
 * Wires the LNS's parts into GET /metrics and GET /api/health/ready: their counters become
 * metrics read at scrape time, the MQTT side and the UDP socket become readiness checks. A
 * part the app does not run (the embedded join server is optional) is left out.
 */
export function observeLns(app: INestApplicationContext): void {
  const find = <T>(token: Type<T> | Abstract<T>): T | undefined => {
    try {
      return app.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  };
  const metrics = app.get(MetricsService).metrics;
  const readiness = app.get(ReadinessRegistry);

  const counters = find(NetworkCounters);
  if (counters) {
    registerNetworkServerMetrics(metrics, {
      counters,
      sessions: find(SessionStore),
      queue: find(DeviceQueueService),
    });
  }

  const bridge = find(GatewayBridgeService);
  registerGatewayMetrics(metrics, { bridge, gateways: find(GatewayService), intake: find(IntakeGuard) });
  if (bridge) {
    readiness.add('udp', () => {
      const port = bridge.udpPort;
      return port !== null
        ? { up: true, port }
        : { up: false, message: 'the Semtech UDP socket is not bound' };
    });
  }

  const publisher = find(MqttPublisher);
  registerApplicationMetrics(metrics, {
    mqtt: find(MqttCounters),
    brokerUp: publisher && (() => mqttStatus(publisher).up),
  });
  if (publisher) {
    readiness.add('mqtt', () => {
      const s = mqttStatus(publisher);
      return s.up ? { up: true, mode: s.mode } : { up: false, mode: s.mode, message: s.reason };
    });
  }

  const joinServer = find(JoinServerService);
  if (joinServer) registerJoinServerMetrics(metrics, joinServer);
}
