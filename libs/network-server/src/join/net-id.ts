/**
 * NetID types and the DevAddr range each gives (LoRaWAN Backend Interfaces TS002-1.1.0 §13 "DevAddr
 * Assignment", as ChirpStack `lrwn/src/netid.rs` / `devaddr.rs` implement it). A NetID is 24 bits: Type
 * (bits 23..21) and an ID whose least significant bits are the NwkID. A DevAddr of type t starts with t
 * ones and a zero, then the NwkID, then the NwkAddr the network chooses freely:
 *
 * | type | prefix bits | NwkID bits | NwkAddr bits |
 * |------|-------------|------------|--------------|
 * | 0    | 1  (0)      | 6          | 25           |
 * | 1    | 2  (10)     | 6          | 24           |
 * | 2    | 3  (110)    | 9          | 20           |
 * | 3    | 4  (1110)   | 11         | 17           |
 * | 4    | 5           | 12         | 15           |
 * | 5    | 6           | 13         | 13           |
 * | 6    | 7           | 15         | 10           |
 * | 7    | 8 (11111110)| 17         | 7            |
 *
 * Pure; belongs with the protocol core (libs/lorawan) eventually, next to ChirpStack's place for it.
 */

const NWK_ID_BITS: readonly number[] = [6, 6, 9, 11, 12, 13, 15, 17];

export interface DevAddrRange {
  /** NetID type, 0..7. */
  netIdType: number;
  /** The NwkID (the NetID's least significant NwkID bits). */
  nwkId: number;
  /** Type prefix and NwkID in place, NwkAddr bits zero. */
  prefix: number;
  /** How many leading bits `prefix` fixes (type prefix + NwkID). */
  prefixLength: number;
  /** Bits left for the NwkAddr: 32 − prefixLength. */
  nwkAddrBits: number;
}

export function netIdType(netId: number): number {
  return (netId >>> 21) & 0x07;
}

/** The DevAddr range of a NetID (24-bit). Throws RangeError for a value that is not a NetID. */
export function devAddrRange(netId: number): DevAddrRange {
  if (!Number.isInteger(netId) || netId < 0 || netId > 0xffffff) {
    throw new RangeError(`NetID ${netId} is not a 24-bit value`);
  }
  const type = netIdType(netId);
  const nwkIdBits = NWK_ID_BITS[type];
  const nwkId = netId & ((1 << nwkIdBits) - 1);
  // `type` ones followed by a zero.
  const typePrefix = ((1 << type) - 1) << 1;
  const prefixLength = type + 1 + nwkIdBits;
  const prefix = (((typePrefix << nwkIdBits) | nwkId) << (32 - prefixLength)) >>> 0;
  return { netIdType: type, nwkId, prefix, prefixLength, nwkAddrBits: 32 - prefixLength };
}

/** The DevAddr with NwkAddr `nwkAddr` in `range`. */
export function devAddrOf(range: DevAddrRange, nwkAddr: number): number {
  return (range.prefix | (nwkAddr & nwkAddrMask(range))) >>> 0;
}

/** True when `devAddr` belongs to the range (its leading bits are the prefix). */
export function inRange(range: DevAddrRange, devAddr: number): boolean {
  return (devAddr & ~nwkAddrMask(range)) >>> 0 === range.prefix;
}

function nwkAddrMask(range: DevAddrRange): number {
  return range.nwkAddrBits >= 32 ? 0xffffffff : (2 ** range.nwkAddrBits - 1) >>> 0;
}
