import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ProtocolVersion } from '../semtech-udp';
import { GatewayEntity } from './gateway.entity';
import { newGatewayState } from './gateway-registry';
import { GatewayState } from './gateway-state';

/** All database I/O of the bridge: gateway rows in and out. Never on the datagram path. */
@Injectable()
export class GatewayRepository {
  constructor(@InjectRepository(GatewayEntity) private readonly rows: Repository<GatewayEntity>) {}

  async loadAll(): Promise<GatewayState[]> {
    const rows = await this.rows.find();
    return rows.map(toState);
  }

  async insert(gw: GatewayState): Promise<void> {
    await this.rows.insert(toRow(gw));
  }

  /** True when a row was deleted. */
  async delete(gatewayId: string): Promise<boolean> {
    const result = await this.rows.delete({ gatewayId });
    return (result.affected ?? 0) > 0;
  }

  /** The write-behind: the changing columns of several gateways in one transaction. */
  async saveStates(states: GatewayState[]): Promise<void> {
    if (states.length === 0) return;
    await this.rows.manager.transaction(async (em) => {
      for (const gw of states) {
        const { gatewayId: _id, name: _n, region: _r, createdAt: _c, ...changing } = toRow(gw);
        await em.update(GatewayEntity, { gatewayId: gw.gatewayId }, changing);
      }
    });
  }
}

function toRow(gw: GatewayState): GatewayEntity {
  const row = new GatewayEntity();
  row.gatewayId = gw.gatewayId;
  row.name = gw.name;
  row.region = gw.region;
  row.createdAt = gw.createdAt;
  row.lastSeenAt = gw.lastSeenAt === null ? null : new Date(gw.lastSeenAt);
  row.latitude = gw.location?.latitude ?? null;
  row.longitude = gw.location?.longitude ?? null;
  row.altitude = gw.location?.altitude ?? null;
  row.protocolVersion = gw.protocolVersion;
  row.counters = gw.counters;
  return row;
}

function toState(row: GatewayEntity): GatewayState {
  const gw = newGatewayState(row.gatewayId, row.name, row.region, row.createdAt, true);
  gw.lastSeenAt = row.lastSeenAt ? row.lastSeenAt.getTime() : null;
  if (row.latitude !== null && row.longitude !== null) {
    gw.location =
      row.altitude === null
        ? { latitude: row.latitude, longitude: row.longitude }
        : { latitude: row.latitude, longitude: row.longitude, altitude: row.altitude };
  }
  gw.protocolVersion =
    row.protocolVersion === 1 || row.protocolVersion === 2 ? (row.protocolVersion as ProtocolVersion) : null;
  // Counters added in later versions start at 0 for rows written before them.
  gw.counters = { ...gw.counters, ...row.counters, txErrors: { ...row.counters?.txErrors } };
  return gw;
}
