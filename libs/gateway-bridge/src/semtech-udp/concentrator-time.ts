const TMST_MODULO = 2 ** 32;

/**
 * The concentrator counter (`tmst`, µs) at which a Class A answer goes out: the uplink's
 * `tmst` plus the receive delay, modulo 2^32. The counter is 32-bit and wraps every
 * ~71.6 min (PROTOCOL.TXT §4 "32b unsigned"); the forwarder compares it modulo 2^32
 * too, so an uplink just before the wrap is answered just after it.
 *   RX1: classATimestamp(rx.tmst, RECEIVE_DELAY1 * 1e6)   (LoRaWAN 1.0.x/1.1 §3.3.1)
 *   RX2: classATimestamp(rx.tmst, RECEIVE_DELAY2 * 1e6)
 */
export function classATimestamp(uplinkTmst: number, delayMicros: number): number {
  return (uplinkTmst + delayMicros) % TMST_MODULO;
}
