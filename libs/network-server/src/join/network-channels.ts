import { RegionName } from '@lns/lorawan';

/**
 * Uplink channels the network adds to a region's default ones with the join-accept CFList (type 0,
 * RP002-1.0.4 "Join-Accept CFList"), in Hz. They must be channels the gateways listen on: EU868 uses the
 * plan of every standard 8-channel EU868 gateway (Semtech reference `global_conf.json`, The Things
 * Network's and ChirpStack's default EU868 plans: 867.1-867.9 MHz beside 868.1/868.3/868.5 MHz).
 * Regions not listed get no CFList: their devices stay on the default channels, which every gateway of
 * the region hears. (A per-deployment channel plan in the configuration would replace this table.)
 */
export const NETWORK_EXTRA_CHANNELS: Readonly<Partial<Record<RegionName, readonly number[]>>> = {
  EU868: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000],
};
