import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { ConfigError, LnsConfig, validateConfig } from './config.schema';

/** `dedup.windowMs` -> `LNS_DEDUP_WINDOW_MS`. */
export function envName(path: string[]): string {
  return 'LNS_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

function coerce(key: string, raw: string, like: unknown): unknown {
  if (Array.isArray(like)) {
    // A list (e.g. backendInterfaces.peers) is given as JSON: LNS_BACKEND_INTERFACES_PEERS='[{…}]'.
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new ConfigError(key, 'must be a JSON list');
    }
    if (!Array.isArray(v)) throw new ConfigError(key, 'must be a JSON list');
    return v;
  }
  if (typeof like === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new ConfigError(key, `must be a number, got "${raw}"`);
    return n;
  }
  if (typeof like === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    throw new ConfigError(key, `must be true or false, got "${raw}"`);
  }
  return raw;
}

/** Replaces every leaf that has an LNS_* variable set, keeping the leaf's type. */
function applyEnv(node: Record<string, unknown>, env: NodeJS.ProcessEnv, path: string[] = []): void {
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      applyEnv(v as Record<string, unknown>, env, p);
      continue;
    }
    const raw = env[envName(p)];
    if (raw !== undefined) node[k] = coerce(p.join('.'), raw, v);
  }
}

function readYaml(file: string): Record<string, unknown> {
  const doc = yaml.load(readFileSync(file, 'utf8'));
  if (doc === null || typeof doc !== 'object') throw new ConfigError(file, 'is not a YAML mapping');
  return doc as Record<string, unknown>;
}

function mergeInto(base: Record<string, unknown>, over: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    if (b && typeof b === 'object' && v && typeof v === 'object' && !Array.isArray(v)) {
      mergeInto(b as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      base[k] = v;
    }
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** The directory holding default.yaml; defaults to <cwd>/config. */
  configDir?: string;
}

/** Defaults from config/default.yaml, then LNS_CONFIG_FILE if set, then LNS_* variables. */
export function loadConfig(opts: LoadConfigOptions = {}): LnsConfig {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? join(process.cwd(), 'config');
  const merged = readYaml(join(dir, 'default.yaml'));
  if (env.LNS_CONFIG_FILE) mergeInto(merged, readYaml(env.LNS_CONFIG_FILE));
  applyEnv(merged, env);
  return validateConfig(merged as unknown as LnsConfig);
}
