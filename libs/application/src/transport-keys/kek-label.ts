import { randomBytes } from 'node:crypto';

/**
 * A new KEK label: `astk-` and 64 random bits in hex. Random rather than counted, so that labels stay unique
 * across applications and servers: an AS serving several applications keeps its ASTKs by label alone.
 */
export function newKekLabel(): string {
  return `astk-${randomBytes(8).toString('hex')}`;
}

/** The AAD that binds a sealed ASTK to its row (KeyCipher). */
export function astkContext(applicationId: string, kekLabel: string): string {
  return `astk:${applicationId}:${kekLabel}`;
}
