import { randomBytes } from 'node:crypto';

/**
 * A new KEK label for an AS key of the join server: `js-astk-` and 64 random bits in hex. Random, so that
 * labels stay unique across join servers (an AS served by several keeps its ASTKs by label alone); the
 * prefix tells them from the `astk-` labels of apps/lns's own end-to-end applications, by construction
 * rather than by chance: a claim naming one never means the other.
 */
export function newAsKeyLabel(): string {
  return `${AS_KEY_LABEL_PREFIX}${randomBytes(8).toString('hex')}`;
}

export const AS_KEY_LABEL_PREFIX = 'js-astk-';

/** The AAD that binds a sealed ASTK to its row (KeyCipher). */
export function asKeyContext(kekLabel: string): string {
  return `js:asKey:${kekLabel}`;
}
