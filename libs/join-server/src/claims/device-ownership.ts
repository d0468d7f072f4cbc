import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JoinServerService } from '../join-server.service';
import { ManufacturerRecordEntity } from '../manufacturer/manufacturer-record.entity';
import { ManufacturerRecordRepository } from '../manufacturer/manufacturer-record.repository';

/** Who owns a manufacturer-imported device, as the claim said. */
export interface DeviceOwnership {
  devEui: string;
  /** False until someone presents the owner token. */
  claimed: boolean;
  /** The claimant's name for itself, as given. */
  owner: string | null;
  /** 6 lowercase hex digits: the NetID of the network server allowed to ask for this device's joins. */
  homeNetId: string | null;
  /** Label of the AS key (the application server's ASTK) the owner wants the AppSKey wrapped under. */
  kekLabel: string | null;
  claimedAt: Date | null;
}

interface Entry extends DeviceOwnership {
  /** The js_devices row it belongs to was created then: a record outliving its device is told by this. */
  deviceCreatedAt: string;
}

/**
 * The owners of manufacturer records, in memory, for the join server's checks on the join path (a
 * Backend Interfaces JoinReq from a network server whose NetID is not the device's home NetID, the KEK
 * the owner asked for): no database read per join. Devices created by an operator with their keys
 * (`POST /api/devices`) are no manufacturer records: `ownershipOf` is undefined for them.
 */
@Injectable()
export class DeviceOwnershipRegistry implements OnModuleInit {
  private readonly logger = new Logger('JoinServer');
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly repo: ManufacturerRecordRepository,
    private readonly js: JoinServerService,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const r of await this.repo.loadAll()) this.remember(r);
    if (this.entries.size > 0) this.logger.log(`${this.entries.size} manufacturer records loaded`);
  }

  /** The device's ownership, or undefined when it is not a manufacturer record (or no longer exists). */
  ownershipOf(devEui: string): DeviceOwnership | undefined {
    const eui = typeof devEui === 'string' ? devEui.toLowerCase() : '';
    const entry = this.entries.get(eui);
    if (!entry) return undefined;
    // The record goes with its device (ON DELETE CASCADE); a device deleted, maybe created again with
    // an operator's keys, is not this record's any more.
    if (this.js.getDevice(eui)?.createdAt !== entry.deviceCreatedAt) {
      this.entries.delete(eui);
      return undefined;
    }
    const { deviceCreatedAt: _, ...ownership } = entry;
    return ownership;
  }

  /** After an import, a claim or its undo: what the database now holds. */
  remember(r: ManufacturerRecordEntity): void {
    this.entries.set(r.devEui, {
      devEui: r.devEui,
      claimed: r.claimedAt !== null,
      owner: r.owner,
      homeNetId: r.homeNetId,
      kekLabel: r.kekLabel,
      claimedAt: r.claimedAt,
      deviceCreatedAt: r.createdAt.toISOString(),
    });
  }
}
