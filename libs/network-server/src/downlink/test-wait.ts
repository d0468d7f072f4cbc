/** Test support: polls `check` until it holds or `timeoutMs` passes (then throws). */
export async function eventuallyTrue(check: () => boolean, timeoutMs = 1000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
