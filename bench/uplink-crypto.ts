/**
 * The per-uplink crypto cost on one core: decode the PHYPayload, rebuild the 32-bit FCnt,
 * verify the MIC and decrypt the FRMPayload, as the network server does for every uplink.
 * LoRaWAN 1.0 (one CMAC) and 1.1 (two CMACs) sessions, 12-byte application payloads.
 */
import { randomBytes } from 'node:crypto';
import {
  computeUplinkMic10,
  computeUplinkMic11,
  DataFrame,
  decodePhyPayload,
  decryptFrmPayload,
  encodePhyPayload,
  encryptFrmPayload,
  micEquals,
  micInput,
  MType,
  reconstructFCnt,
} from '@lns/lorawan';

export interface CryptoBenchResult {
  name: string;
  frames: number;
  seconds: number;
  framesPerSecond: number;
  microsPerFrame: number;
}

const N_FRAMES = 2000;

function buildFrames(v11: boolean) {
  const keys = { nwk: randomBytes(16), s: randomBytes(16), app: randomBytes(16) };
  const devAddr = 0x26011bda;
  const frames: Buffer[] = [];
  for (let i = 0; i < N_FRAMES; i++) {
    const fCnt = 70_000 + i;
    const frmPayload = encryptFrmPayload({
      key: keys.app,
      uplink: true,
      devAddr,
      fCnt,
      payload: randomBytes(12),
    });
    const wire = encodePhyPayload({
      mType: MType.UnconfirmedDataUp,
      devAddr,
      fCtrl: { adr: true, adrAckReq: false, ack: false, classB: false, fOptsLen: 0 },
      fCnt: fCnt & 0xffff,
      fOpts: Buffer.alloc(0),
      fPort: 1,
      frmPayload,
      mic: Buffer.alloc(4),
    } as DataFrame);
    const msg = micInput(wire);
    const mic = v11
      ? computeUplinkMic11({
          fNwkSIntKey: keys.nwk,
          sNwkSIntKey: keys.s,
          devAddr,
          fCnt,
          txDr: 5,
          txCh: 1,
          msg,
        })
      : computeUplinkMic10({ nwkSKey: keys.nwk, devAddr, fCnt, msg });
    mic.copy(wire, wire.length - 4);
    frames.push(wire);
  }
  return { frames, keys, devAddr };
}

function runOne(name: string, v11: boolean, seconds: number): CryptoBenchResult {
  const { frames, keys, devAddr } = buildFrames(v11);
  let next = 70_000;
  let done = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < frames.length; i++) {
      const wire = frames[i];
      const f = decodePhyPayload(wire) as DataFrame;
      const fCnt = reconstructFCnt(next, f.fCnt);
      const msg = micInput(wire);
      const mic = v11
        ? computeUplinkMic11({
            fNwkSIntKey: keys.nwk,
            sNwkSIntKey: keys.s,
            devAddr,
            fCnt,
            txDr: 5,
            txCh: 1,
            msg,
          })
        : computeUplinkMic10({ nwkSKey: keys.nwk, devAddr, fCnt, msg });
      if (!micEquals(mic, f.mic)) failures++;
      decryptFrmPayload({ key: keys.app, uplink: true, devAddr, fCnt, payload: f.frmPayload! });
      next = i === frames.length - 1 ? 70_000 : fCnt + 1;
    }
    done += frames.length;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (failures) throw new Error(`${name}: ${failures} MIC failures: the bench is wrong`);
  return {
    name,
    frames: done,
    seconds: elapsed,
    framesPerSecond: Math.round(done / elapsed),
    microsPerFrame: (elapsed * 1e6) / done,
  };
}

export function runUplinkCryptoBench(seconds = 3): CryptoBenchResult[] {
  runOne('warm-up', false, 0.5);
  return [
    runOne('uplink 1.0: decode + FCnt + MIC + decrypt', false, seconds),
    runOne('uplink 1.1: decode + FCnt + 2-key MIC + decrypt', true, seconds),
  ];
}

/** `npx ts-node --transpile-only -r tsconfig-paths/register bench/uplink-crypto.ts [seconds]` */
if (require.main === module) {
  const seconds = Number(process.argv[2] ?? 3);
  for (const r of runUplinkCryptoBench(seconds)) {
    console.log(
      `${r.name.padEnd(50)} ${String(r.framesPerSecond).padStart(8)} frames/s  ${r.microsPerFrame.toFixed(2)} µs/frame`,
    );
  }
}
