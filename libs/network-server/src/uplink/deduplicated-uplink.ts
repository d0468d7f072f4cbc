/** The gateway bridge deduplicates (in its UDP worker, or here for copies it emits one by one). */
export type { DeduplicatedUplink, FirstCopy } from '@lns/gateway-bridge';
