/**
 * The external join servers known to this process (`POST /api/join-servers`). DI token,
 * provided by whoever keeps that list; without it, a device's `joinServer` id is taken on
 * trust (its format is still checked).
 */
export abstract class JoinServerDirectory {
  abstract has(joinServerId: string): boolean;
}
