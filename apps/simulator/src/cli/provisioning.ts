/**
 * Registers the simulation's gateways and devices through the server's REST API, so a fresh
 * server needs nothing done by hand. Existing ones (409) are reused, so a second run with
 * the same seed picks up where the first left off.
 */
export interface ProvisionedDevice {
  devEui: string;
  joinEui: string;
  appKey: string;
  nwkKey?: string;
  devAddr?: number;
  nwkSKey?: string;
  appSKey?: string;
}

export class RestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async post<T>(path: string, body: unknown, okIfConflict = false): Promise<T | undefined> {
    const res = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify(body),
    });
    if (res.status === 409 && okIfConflict) return undefined;
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as T) : undefined;
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${this.token}` } });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

interface Named {
  id: string;
  name: string;
}

/** The simulator's own device profile and application, created once and found by name later. */
export async function ensureProfileAndApplication(
  api: RestClient,
  region: string,
  macVersion: string,
): Promise<{ deviceProfileId: string; applicationId: string }> {
  const profileName = `simulator ${region} ${macVersion}`;
  const profiles = await api.get<Named[] | { result: Named[] }>('/api/device-profiles');
  const list = Array.isArray(profiles) ? profiles : profiles.result;
  let deviceProfileId = list.find((p) => p.name === profileName)?.id;
  if (!deviceProfileId) {
    deviceProfileId = (await api.post<{ id: string }>('/api/device-profiles', {
      name: profileName,
      region,
      macVersion,
    }))!.id;
  }
  const apps = await api.get<Named[] | { result: Named[] }>('/api/applications');
  const appList = Array.isArray(apps) ? apps : apps.result;
  let applicationId = appList.find((a) => a.name === 'simulator')?.id;
  if (!applicationId)
    applicationId = (await api.post<{ id: string }>('/api/applications', { name: 'simulator' }))!.id;
  return { deviceProfileId, applicationId };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
