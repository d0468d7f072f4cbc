/** Command-line options of `npm run simulate`; no dependency, exact error messages. */
export interface SimulateOptions {
  /** REST API base URL. */
  url: string;
  /** Semtech UDP endpoint of the server. */
  udpHost: string;
  udpPort: number;
  token?: string;
  gateways: number;
  devices: number;
  /** ms between two uplinks of one device. */
  intervalMs: number;
  /** ms the simulation runs; 0 = until Ctrl-C. */
  durationMs: number;
  region: 'EU868' | 'US915';
  macVersion: '1.0.2' | '1.0.3' | '1.0.4' | '1.1.0';
  activation: 'OTAA' | 'ABP';
  /** Share of uplinks sent confirmed, 0..1. */
  confirmed: number;
  payloadSize: number;
  seed: number;
  /** Each device is heard by this many gateways (at most --gateways). */
  heardBy: number;
  /** Print every device's line at the end (default when ≤ 50 devices). */
  perDevice?: boolean;
}

export const USAGE = `npm run simulate -- [options]

Simulated gateways and devices against a running server (real Semtech UDP, REST provisioning).

  --url <url>             REST API base (default http://127.0.0.1:8080)
  --udp <host:port>       Semtech UDP endpoint (default 127.0.0.1:1700)
  --token <token>         admin token (default: $LNS_ADMIN_TOKEN or ./data/admin-token)
  --gateways <n>          virtual gateways (default 3)
  --devices <n>           virtual devices (default 10)
  --heard-by <n>          gateways hearing each uplink (default: all, at most 3)
  --interval <duration>   time between a device's uplinks, e.g. 500ms, 10s, 1m (default 10s)
  --duration <duration>   how long to run (default 60s; 0 = until Ctrl-C)
  --region <EU868|US915>  (default EU868)
  --mac-version <v>       1.0.2, 1.0.3, 1.0.4 or 1.1.0 (default 1.0.3)
  --activation <OTAA|ABP> (default OTAA, through the server's embedded join server)
  --confirmed <0..1>      share of confirmed uplinks (default 0)
  --payload-size <bytes>  application payload size (default 12)
  --seed <n>              makes EUIs, keys and radio values repeatable (default 1)
  --per-device            print one line per device at the end
`;

export class ArgsError extends Error {}

/** `500ms`, `10s`, `2m`, `1h`, or a bare number of seconds. */
export function parseDuration(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new ArgsError(`${what}: "${s}" is not a duration (e.g. 500ms, 10s, 1m)`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const unit = units[m[2] ?? 's'];
  return Math.round(Number(m[1]) * unit);
}

function int(s: string, what: string, min: number, max: number): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ArgsError(`${what}: must be an integer ${min}..${max}`);
  return n;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SimulateOptions | 'help' {
  const o: SimulateOptions = {
    url: 'http://127.0.0.1:8080',
    udpHost: '127.0.0.1',
    udpPort: 1700,
    token: env.LNS_ADMIN_TOKEN,
    gateways: 3,
    devices: 10,
    intervalMs: 10_000,
    durationMs: 60_000,
    region: 'EU868',
    macVersion: '1.0.3',
    activation: 'OTAA',
    confirmed: 0,
    payloadSize: 12,
    seed: 1,
    heardBy: 3,
  };
  let heardBySet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--per-device') {
      o.perDevice = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new ArgsError(`${flag}: needs a value`);
    switch (flag) {
      case '--url':
        o.url = value.replace(/\/+$/, '');
        break;
      case '--udp': {
        const m = /^(.+):(\d+)$/.exec(value);
        if (!m) throw new ArgsError('--udp: expected host:port');
        o.udpHost = m[1];
        o.udpPort = int(m[2], '--udp port', 1, 65535);
        break;
      }
      case '--token':
        o.token = value;
        break;
      case '--gateways':
        o.gateways = int(value, flag, 1, 1000);
        break;
      case '--devices':
        o.devices = int(value, flag, 1, 1_000_000);
        break;
      case '--heard-by':
        o.heardBy = int(value, flag, 1, 1000);
        heardBySet = true;
        break;
      case '--interval':
        o.intervalMs = parseDuration(value, flag);
        if (o.intervalMs < 1) throw new ArgsError('--interval: must be at least 1ms');
        break;
      case '--duration':
        o.durationMs = parseDuration(value, flag);
        break;
      case '--region':
        if (value !== 'EU868' && value !== 'US915') throw new ArgsError('--region: EU868 or US915');
        o.region = value;
        break;
      case '--mac-version':
        if (!['1.0.2', '1.0.3', '1.0.4', '1.1.0'].includes(value)) {
          throw new ArgsError('--mac-version: 1.0.2, 1.0.3, 1.0.4 or 1.1.0');
        }
        o.macVersion = value as SimulateOptions['macVersion'];
        break;
      case '--activation':
        if (value !== 'OTAA' && value !== 'ABP') throw new ArgsError('--activation: OTAA or ABP');
        o.activation = value;
        break;
      case '--confirmed': {
        const n = Number(value);
        if (!(n >= 0 && n <= 1)) throw new ArgsError('--confirmed: a share between 0 and 1');
        o.confirmed = n;
        break;
      }
      case '--payload-size':
        o.payloadSize = int(value, flag, 0, 222);
        break;
      case '--seed':
        o.seed = int(value, flag, 0, 2 ** 31);
        break;
      default:
        throw new ArgsError(`unknown option ${flag} (see --help)`);
    }
  }
  o.heardBy = Math.min(heardBySet ? o.heardBy : 3, o.gateways);
  return o;
}
