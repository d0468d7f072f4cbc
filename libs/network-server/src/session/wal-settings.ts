/** What the WAL file is truncated to when it starts over (SQLite keeps its largest size otherwise). */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Frames in the WAL and frames copied to the database file by one checkpoint (PRAGMA wal_checkpoint). */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
}
