// Checked-in migrations, oldest first; run at start (STYLE.md: no synchronize outside tests).
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [];
