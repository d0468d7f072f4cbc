import { KeyCipher, DeviceSessionEntity, MAC_VERSIONS } from '@lns/storage';
import { DeviceSession } from './device-session';
import { KeySlab, LoadedSession, sharedMacJson } from './loaded-session';

const KEY_LENGTH = 16;

/** The AAD of a session's sealed keys: binds the blob to its row (KeyCipher). */
export function sessionKeyContext(devEui: string): string {
  return `session:${devEui}`;
}

export class SessionDecodeError extends Error {
  constructor(
    readonly devEui: string,
    reason: string,
  ) {
    super(`session of ${devEui}: ${reason}`);
    this.name = 'SessionDecodeError';
  }
}

/** FNwkSIntKey | SNwkSIntKey | NwkSEncKey [| AppSKey], sealed under the master key. */
export function sealSessionKeys(cipher: KeyCipher, s: DeviceSession): Buffer {
  const parts = [s.fNwkSIntKey, s.sNwkSIntKey, s.nwkSEncKey];
  if (s.appSKey) parts.push(s.appSKey);
  return cipher.encrypt(Buffer.concat(parts), sessionKeyContext(s.devEui));
}

/** The row for a whole session (activation); the group commit writes only the changing columns. */
export function toSessionRow(cipher: KeyCipher, s: DeviceSession): DeviceSessionEntity {
  const row = new DeviceSessionEntity();
  row.devEui = s.devEui;
  row.devAddr = s.devAddr >>> 0;
  row.macVersion = s.macVersion;
  row.keys = sealSessionKeys(cipher, s);
  row.appSKeyEnvelope = s.appSKeyEnvelope ?? null;
  row.sessionKeyId = s.sessionKeyId ?? null;
  row.fCntUp = s.fCntUp;
  row.nFCntDown = s.nFCntDown;
  row.aFCntDown = s.aFCntDown;
  row.macState = JSON.stringify(s.mac);
  row.activatedAt = new Date(s.activatedAt);
  row.lastSeenAt = s.lastSeenAt === undefined ? null : new Date(s.lastSeenAt);
  return row;
}

/**
 * The hot copy of a persisted session. The application and profile ids are not columns of
 * `device_sessions`: they come from the device row (`owner`). Throws SessionDecodeError when
 * the keys do not unseal (wrong master key, row tampered with) or a column is not valid.
 * Every session is in memory at once: the copy is a LoadedSession, made small for that.
 */
export function fromSessionRow(
  cipher: KeyCipher,
  row: DeviceSessionEntity,
  owner: { applicationId: string; deviceProfileId: string },
): DeviceSession {
  if (!(MAC_VERSIONS as readonly string[]).includes(row.macVersion)) {
    throw new SessionDecodeError(row.devEui, `unknown MAC version ${row.macVersion}`);
  }
  let keys: Buffer;
  try {
    keys = cipher.decrypt(row.keys, sessionKeyContext(row.devEui));
  } catch {
    throw new SessionDecodeError(row.devEui, 'the session keys do not unseal under this master key');
  }
  if (keys.length !== 3 * KEY_LENGTH && keys.length !== 4 * KEY_LENGTH) {
    throw new SessionDecodeError(row.devEui, `sealed keys hold ${keys.length} bytes`);
  }
  const macJson = sharedMacJson(row.macState);
  if (macJson === undefined) throw new SessionDecodeError(row.devEui, 'mac_state is not JSON');
  const fields: ConstructorParameters<typeof LoadedSession>[0] = {
    devEui: row.devEui,
    devAddr: row.devAddr >>> 0,
    // The constant, not the row's copy of the string.
    macVersion: MAC_VERSIONS.find((v) => v === row.macVersion)!,
    applicationId: owner.applicationId,
    deviceProfileId: owner.deviceProfileId,
    fCntUp: row.fCntUp,
    nFCntDown: row.nFCntDown,
    aFCntDown: row.aFCntDown,
    activatedAt: row.activatedAt.getTime(),
  };
  if (row.appSKeyEnvelope) fields.appSKeyEnvelope = row.appSKeyEnvelope;
  if (row.sessionKeyId) fields.sessionKeyId = row.sessionKeyId;
  if (row.lastSeenAt) fields.lastSeenAt = row.lastSeenAt.getTime();
  const roles = Array.from({ length: keys.length / KEY_LENGTH }, (_, i) =>
    keys.subarray(i * KEY_LENGTH, (i + 1) * KEY_LENGTH),
  );
  return new LoadedSession(fields, roles, macJson, keySlab);
}

/** Where loaded sessions' keys are kept (see KeySlab). */
const keySlab = new KeySlab();
