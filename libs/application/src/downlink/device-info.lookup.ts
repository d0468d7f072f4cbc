import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DeviceInfo } from '@lns/event-bus';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity } from '@lns/storage';

const DEV_EUI = /^[0-9a-f]{16}$/;

/**
 * The `deviceInfo` of a `log` event about a refused command. Read from the database: this
 * is the error path of an application's command, not the uplink path. What is not known
 * (no such device in that application) stays empty, and never tells of another application's device.
 */
@Injectable()
export class DeviceInfoLookup {
  constructor(
    @InjectRepository(ApplicationEntity) private readonly applications: Repository<ApplicationEntity>,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
  ) {}

  async deviceInfo(applicationId: string, devEui: string): Promise<DeviceInfo> {
    const info: DeviceInfo = {
      applicationId,
      applicationName: '',
      deviceProfileId: '',
      deviceProfileName: '',
      deviceName: '',
      devEui,
      deviceClassEnabled: 'CLASS_A',
      tags: {},
    };
    const application = await this.applications.findOne({ where: { id: applicationId } });
    if (!application) return info;
    info.applicationName = application.name;
    if (!DEV_EUI.test(devEui)) return info;
    const device = await this.devices.findOne({ where: { devEui, applicationId } });
    if (!device) return info;
    info.deviceName = device.name;
    info.deviceProfileId = device.deviceProfileId;
    info.tags = device.tags ?? {};
    const profile = await this.profiles.findOne({ where: { id: device.deviceProfileId } });
    if (profile) {
      info.deviceProfileName = profile.name;
      // The class the profile enables; ChirpStack's field names the class in use, the same for these.
      info.deviceClassEnabled = profile.supportsClassC ? 'CLASS_C' : 'CLASS_A';
    }
    return info;
  }
}
