/** No AS key of this join server has this label. HTTP 404 naming `kekLabel`. */
export class AsKeyNotFoundError extends Error {
  constructor(readonly kekLabel: string) {
    super(`no AS key ${kekLabel} on this join server`);
    this.name = 'AsKeyNotFoundError';
  }
}
