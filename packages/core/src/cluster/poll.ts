/**
 * Calls `check` until it returns a value other than `undefined` or `ms` have passed (then
 * `undefined`). Backs off from 10 ms to 200 ms between checks: the states it waits on (a lease
 * appearing or going, a save landing) usually change within a few backend round trips.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  ms: number,
): Promise<T | undefined> {
  const until = Date.now() + ms;
  let delay = 10;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const left = until - Date.now();
    if (left <= 0) return undefined;
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, 200);
  }
}
