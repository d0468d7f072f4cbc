import { MacVersion } from '@lns/storage';

/**
 * What the registry is asked to create. EUIs are lowercase hex (as stored), keys are
 * `Buffer`s, DevAddr is a number: the REST layer converts its hex strings at the edge.
 * Field names are the API's, so an error can name the field the caller sent.
 */
export interface CreateDeviceProfile {
  name: string;
  region: string;
  macVersion: MacVersion;
  regParamsRevision?: string | null;
  supportsClassC?: boolean;
  adrEnabled?: boolean;
  rx1Delay?: number;
  rx1DrOffset?: number;
  rx2DataRate?: number | null;
  rx2Frequency?: number | null;
  subBand?: number | null;
}

export interface CreateApplication {
  name: string;
  endToEnd?: boolean;
}

export type Activation = 'OTAA' | 'ABP';
export const ACTIVATIONS: readonly Activation[] = ['OTAA', 'ABP'];

/** The join server a device's OTAA goes to when none is named. */
export const LOCAL_JOIN_SERVER = 'local';

/** An ABP device's session as the device holds it. */
export interface AbpActivation {
  devAddr: number;
  /** 1.0.x: the one network session key. */
  nwkSKey?: Buffer;
  /** Absent for end-to-end applications (the network never holds it). */
  appSKey?: Buffer;
  /** 1.1: the three network session keys an ABP device is personalised with (L1.1 §6.3). */
  fNwkSIntKey?: Buffer;
  sNwkSIntKey?: Buffer;
  nwkSEncKey?: Buffer;
  /** The next FCntUp the network expects (ChirpStack's meaning); default 0. */
  fCntUp?: number;
  /** The next FCntDown (1.0.x, every port) or NFCntDown (1.1: FPort 0 and MAC-only downlinks); default 0. */
  fCntDown?: number;
  /** 1.1 only: the next AFCntDown (application downlinks, FPort > 0); default 0. */
  aFCntDown?: number;
}

export interface CreateDevice {
  devEui: string;
  joinEui?: string;
  name: string;
  description?: string;
  applicationId: string;
  deviceProfileId: string;
  activation: Activation;
  /** OTAA: 'local' (default) or an external join server's id. */
  joinServer?: string;
  /**
   * OTAA on the local join server when it holds the root keys already (a manufacturer record claimed with
   * its owner token, `POST /api/devices/qr`): no appKey/nwkKey is given and none is written.
   */
  keysOnJoinServer?: boolean;
  appKey?: Buffer;
  nwkKey?: Buffer;
  abp?: AbpActivation;
  tags?: Record<string, string>;
}
