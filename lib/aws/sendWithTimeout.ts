/**
 * Runs an AWS SDK call with an abort signal and a hard timeout: the SDK gets the signal (and aborts its request),
 * and the caller is released when the time is up even if the client ignores the signal. The rejection is an Error
 * named TimeoutError, which callers treat as transient.
 */
export async function sendWithTimeout<T>(
  send: (abortSignal: AbortSignal) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' });
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    // A pending timer must not keep a process (or a Lambda invocation's event loop) alive.
    timer.unref();
  });
  try {
    return await Promise.race([send(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
