import { Injectable } from '@nestjs/common';
import {
  AckEvent,
  ApplicationEvent,
  ApplicationEventMap,
  ApplicationEventType,
  DeviceInfo,
  EventBus,
  LogCode,
  LogLevel,
  StatusEvent,
  TxAckEvent,
  UpEvent,
} from '@lns/event-bus';
import { DeviceContext } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';

/**
 * Emits the application events ('application.event' on the bus, published to MQTT and
 * webhooks by libs/application) with the deviceInfo block every event carries.
 */
@Injectable()
export class ApplicationPublisher {
  constructor(private readonly bus: EventBus) {}

  deviceInfo(ctx: DeviceContext, session?: DeviceSession): DeviceInfo {
    const classC = ctx.profile.supportsClassC || session?.mac.deviceClass === 'C';
    return {
      applicationId: ctx.application.id,
      applicationName: ctx.application.name,
      deviceProfileId: ctx.profile.id,
      deviceProfileName: ctx.profile.name,
      deviceName: ctx.device.name,
      devEui: ctx.device.devEui,
      deviceClassEnabled: classC ? 'CLASS_C' : 'CLASS_A',
      tags: { ...(ctx.device.tags ?? {}) },
    };
  }

  up(ctx: DeviceContext, payload: UpEvent): void {
    this.emit(ctx, 'up', payload);
  }

  ack(ctx: DeviceContext, payload: AckEvent): void {
    this.emit(ctx, 'ack', payload);
  }

  txack(ctx: DeviceContext, payload: TxAckEvent): void {
    this.emit(ctx, 'txack', payload);
  }

  status(ctx: DeviceContext, payload: StatusEvent): void {
    this.emit(ctx, 'status', payload);
  }

  /** A `log` event: something about the device worth its owner's eye (never a key). */
  log(
    ctx: DeviceContext,
    level: LogLevel,
    code: LogCode,
    description: string,
    context: Record<string, string> = {},
    session?: DeviceSession,
  ): void {
    this.emit(ctx, 'log', {
      time: new Date().toISOString(),
      deviceInfo: this.deviceInfo(ctx, session),
      level,
      code,
      description,
      context,
    });
  }

  private emit<K extends ApplicationEventType>(
    ctx: DeviceContext,
    type: K,
    payload: ApplicationEventMap[K],
  ): void {
    this.bus.emit('application.event', {
      type,
      applicationId: ctx.application.id,
      devEui: ctx.device.devEui,
      payload,
    } as ApplicationEvent);
  }
}
