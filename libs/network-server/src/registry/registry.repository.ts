import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';
import { Repository } from 'typeorm';

export interface RegistryRows {
  profiles: DeviceProfileEntity[];
  applications: ApplicationEntity[];
  devices: DeviceEntity[];
}

/** All database I/O of the registry: rows in at start, inserts and deletes from the REST API. */
@Injectable()
export class RegistryRepository {
  constructor(
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
    @InjectRepository(ApplicationEntity) private readonly applications: Repository<ApplicationEntity>,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
  ) {}

  async loadAll(): Promise<RegistryRows> {
    const [profiles, applications, devices] = await Promise.all([
      this.profiles.find(),
      this.applications.find(),
      this.devices.find(),
    ]);
    return { profiles, applications, devices };
  }

  async insertProfile(row: DeviceProfileEntity): Promise<void> {
    await this.profiles.insert(row);
  }

  async deleteProfile(id: string): Promise<void> {
    await this.profiles.delete({ id });
  }

  async insertApplication(row: ApplicationEntity): Promise<void> {
    await this.applications.insert(row);
  }

  async deleteApplication(id: string): Promise<void> {
    await this.applications.delete({ id });
  }

  async insertDevice(row: DeviceEntity): Promise<void> {
    await this.devices.insert(row);
  }

  /** Its session and queue rows go with it (ON DELETE CASCADE). */
  async deleteDevice(devEui: string): Promise<void> {
    await this.devices.delete({ devEui });
  }
}
