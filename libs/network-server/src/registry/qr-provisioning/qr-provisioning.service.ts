import { Inject, Injectable, Logger } from '@nestjs/common';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { parseTr005, ParsedTr005, Tr005Error } from '@lns/join-server';
import { DeviceContext } from '../device-registry';
import {
  invalid,
  RegistryConflictError,
  RegistryUnavailableError,
  RegistryValidationError,
} from '../registry-errors';
import { RegistryService } from '../registry.service';
import { ClaimRequest, DeviceClaim } from './device-claim';
import { claimLocally } from './local-claimer';
import { QrProvisioningPeers } from './qr-provisioning-peers';
import { claimRemotely } from './remote-claimer';

/** `POST /api/devices/qr`. */
export interface ProvisionFromQr {
  qr: string;
  applicationId: string;
  deviceProfileId: string;
  name?: string;
  description?: string;
}

const TR005_REASONS: Record<Tr005Error['code'], string> = {
  FORMAT: 'is not a TR005 code',
  SCHEMA: 'has a TR005 schema other than D0',
  JOIN_EUI: 'has a bad JoinEUI',
  DEV_EUI: 'has a bad DevEUI',
  PROFILE_ID: 'has a bad ProfileID',
  CHECKSUM: 'has a bad checksum (misread or altered)',
  DUPLICATE: 'gives an extension twice',
  VALUE: 'has a bad value',
};

/**
 * Simplified provisioning (TR005): one call reads the device's QR code, claims the device on its join
 * server with the owner token printed there, and creates it here as an OTAA device of that join server,
 * with no key ever entering the network server. Everything that can be checked is checked before the
 * claim, since a claim uses the token up; a claim on the local join server is undone if the device
 * cannot be created after all.
 */
@Injectable()
export class QrProvisioningService {
  private readonly logger = new Logger('Registry');
  private readonly netId: string;

  constructor(
    private readonly registry: RegistryService,
    private readonly peers: QrProvisioningPeers,
    @Inject(LNS_CONFIG) config: LnsConfig,
  ) {
    this.netId = config.netId.toLowerCase();
  }

  async provision(input: ProvisionFromQr): Promise<DeviceContext> {
    const code = readCode(input.qr);
    const profile = this.registry.profile(input.deviceProfileId);
    const problems = [
      ...(this.registry.application(input.applicationId)
        ? []
        : [{ field: 'applicationId', reason: 'no such application' }]),
      ...(profile ? [] : [{ field: 'deviceProfileId', reason: 'no such device profile' }]),
    ];
    if (problems.length > 0) throw new RegistryValidationError(problems);
    if (this.registry.get(code.devEui)) {
      throw new RegistryConflictError([
        { field: 'qr', reason: `a device with DevEUI ${code.devEui} exists` },
      ]);
    }
    const request: ClaimRequest = {
      devEui: code.devEui,
      ownerToken: code.ownerToken!,
      owner: `network server NetID ${this.netId}`,
      homeNetId: this.netId,
      ...this.kekLabelOf(input.applicationId),
    };
    const claim = await this.claim(code, request, profile!.macVersion);
    try {
      checkVersion(claim.device.macVersion, profile!.macVersion);
      const ctx = await this.registry.createDevice({
        devEui: code.devEui,
        joinEui: claim.device.joinEui,
        name: input.name ?? (code.serialNumber ?? code.devEui).slice(0, 100),
        description: input.description,
        applicationId: input.applicationId,
        deviceProfileId: input.deviceProfileId,
        activation: 'OTAA',
        joinServer: claim.joinServer,
        keysOnJoinServer: true,
        tags: {
          tr005ProfileId: code.profileId,
          ...(code.serialNumber ? { serialNumber: code.serialNumber.slice(0, 256) } : {}),
        },
      });
      this.logger.log(`${code.devEui} provisioned from its QR code, join server ${claim.joinServer}`);
      return ctx;
    } catch (err) {
      const undone = await claim.undo().catch(() => false);
      if (!undone && err instanceof RegistryValidationError) {
        // The token is used up: say how to create the device without it.
        throw new RegistryValidationError([
          ...err.fields,
          {
            field: 'qr',
            reason: `the device stays claimed on join server ${claim.joinServer}: create it with POST /api/devices (joinServer: ${claim.joinServer}, no keys)`,
          },
        ]);
      }
      throw err;
    }
  }

  /**
   * The join server of the device: the embedded one when it holds this device as a manufacturer record
   * with this JoinEUI, else the external one the JoinEUI is routed to.
   */
  private async claim(
    code: ParsedTr005,
    request: ClaimRequest,
    profileVersion: string,
  ): Promise<DeviceClaim> {
    const local = this.peers.localJoinServer()?.getDevice(code.devEui);
    const claims = this.peers.localClaims();
    if (
      local &&
      local.joinEui === code.joinEui &&
      claims &&
      this.peers.localOwnerships()?.ownershipOf(code.devEui)
    ) {
      // Known here before the claim: a version mismatch costs no token.
      checkVersion(local.macVersion, profileVersion);
      return claimLocally(claims, request);
    }
    const external = this.peers.externalJoinServers();
    const server = external?.findByJoinEui(code.joinEui);
    if (!external || !server) {
      throw invalid(
        'qr',
        `no join server known for JoinEUI ${code.joinEui}: register it with POST /api/join-servers (joinEuis)`,
      );
    }
    const transport = external.transport(server.id);
    if (!transport) {
      throw new RegistryUnavailableError([
        { field: 'qr', reason: `join server ${server.id}: its credentials do not open under the master key` },
      ]);
    }
    return claimRemotely(server.id, transport, request);
  }

  /** End-to-end applications: their ASTK's label, so the join server wraps the AppSKey for it. */
  private kekLabelOf(applicationId: string): { kekLabel?: string } {
    if (!this.registry.application(applicationId)?.endToEnd) return {};
    const kek = this.peers.appSKeyKeks()?.kekFor(applicationId);
    return kek ? { kekLabel: kek.kekLabel } : {};
  }
}

function readCode(qr: string): ParsedTr005 {
  let code: ParsedTr005;
  try {
    code = parseTr005(qr);
  } catch (err) {
    if (err instanceof Tr005Error) throw invalid('qr', `${TR005_REASONS[err.code]}: ${err.message}`);
    throw err;
  }
  if (!code.ownerToken) throw invalid('qr', 'has no owner token (O): the device cannot be claimed with it');
  return code;
}

/**
 * The profile must be of the device's LoRaWAN generation: 1.0.x and 1.1 differ in root keys, join MIC and
 * session keys (L1.1 §6.2), so a mismatch would make every join fail. 1.0.x revisions may differ.
 */
function checkVersion(deviceVersion: string, profileVersion: string): void {
  const is11 = (v: string) => v.startsWith('1.1');
  if (is11(deviceVersion) !== is11(profileVersion)) {
    throw invalid(
      'deviceProfileId',
      `the device is LoRaWAN ${deviceVersion} (its join server says), the profile LoRaWAN ${profileVersion}`,
    );
  }
}
