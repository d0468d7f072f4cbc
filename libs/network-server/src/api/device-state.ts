import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DeviceQueueService } from '../queue/device-queue.service';
import { usesSharedFCntDown } from '../session/device-session';
import { SessionStore } from '../session/session-store';
import { devAddrHex } from '../uplink/radio';

export class DeviceStateView {
  @ApiProperty() devEui!: string;
  @ApiProperty({ description: 'Has a session (joined, or ABP)' }) activated!: boolean;
  @ApiPropertyOptional({ description: '8 hex digits' }) devAddr?: string;
  @ApiPropertyOptional() macVersion?: string;
  @ApiPropertyOptional({ description: 'Next FCntUp expected' }) fCntUp?: number;
  @ApiPropertyOptional({ description: 'Next FCntDown (1.0.x) / NFCntDown (1.1) the network will use' })
  fCntDown?: number;
  @ApiPropertyOptional({ description: 'LoRaWAN 1.1: next NFCntDown' }) nFCntDown?: number;
  @ApiPropertyOptional({ description: 'LoRaWAN 1.1: next AFCntDown' }) aFCntDown?: number;
  @ApiProperty({
    description:
      'The counter a tunnel application must encrypt its next downlink with (AFCntDown in 1.1, FCntDown in 1.0.x), after the items already queued',
  })
  nextAFCntDown!: number;
  @ApiPropertyOptional() lastSeenAt?: string;
  @ApiPropertyOptional({ enum: ['A', 'C'] }) deviceClass?: 'A' | 'C';
  @ApiPropertyOptional() dataRate?: number;
  @ApiPropertyOptional() txPower?: number;
  @ApiPropertyOptional() nbTrans?: number;
  @ApiPropertyOptional() rx1DrOffset?: number;
  @ApiPropertyOptional() rx2DataRate?: number;
  @ApiPropertyOptional() rx2Frequency?: number;
  @ApiPropertyOptional() rxDelay?: number;
  @ApiProperty() queueSize!: number;
}

/** A device's network state for the API (also for the registry's GET /api/devices/{devEui}); never a key. */
@Injectable()
export class DeviceStateService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly queue: DeviceQueueService,
  ) {}

  state(devEui: string): DeviceStateView {
    const s = this.sessions.byDevEui(devEui);
    const view: DeviceStateView = {
      devEui,
      activated: s !== undefined,
      nextAFCntDown: this.queue.nextAsFCntDown(devEui),
      queueSize: this.queue.list(devEui).length,
    };
    if (!s) return view;
    const shared = usesSharedFCntDown(s.macVersion);
    Object.assign(view, {
      devAddr: devAddrHex(s.devAddr),
      macVersion: s.macVersion,
      fCntUp: s.fCntUp,
      fCntDown: s.nFCntDown,
      ...(!shared && { nFCntDown: s.nFCntDown, aFCntDown: s.aFCntDown }),
      deviceClass: s.mac.deviceClass,
      dataRate: s.mac.dataRate,
      txPower: s.mac.txPower,
      nbTrans: s.mac.nbTrans,
      rx1DrOffset: s.mac.rx1DrOffset,
      rx2DataRate: s.mac.rx2DataRate,
      rx2Frequency: s.mac.rx2Frequency,
      rxDelay: s.mac.rxDelay,
    });
    if (s.lastSeenAt !== undefined) view.lastSeenAt = new Date(s.lastSeenAt).toISOString();
    return view;
  }
}
