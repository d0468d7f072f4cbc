import { Region } from '@lns/lorawan';

/**
 * Demodulation floor (dB SNR) per LoRa spreading factor, as in the Semtech SX127x/SX126x data sheets and the
 * ChirpStack/TTS ADR tables: each SF step buys 2.5 dB.
 */
const REQUIRED_SNR_BY_SF: Readonly<Record<number, number>> = {
  7: -7.5,
  8: -10,
  9: -12.5,
  10: -15,
  11: -17.5,
  12: -20,
};

/** SNR (dB) a LoRa uplink at `dataRate` needs to be demodulated; `undefined` for FSK, LR-FHSS or unknown rates. */
export function requiredSnr(region: Region, dataRate: number): number | undefined {
  const rate = region.dataRates[dataRate];
  if (rate === undefined || rate.modulation !== 'LORA') return undefined;
  return REQUIRED_SNR_BY_SF[rate.spreadingFactor];
}
