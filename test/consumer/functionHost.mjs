// Hosts a Lambda bundle for the consumer test as the Lambda runtime would: the module is imported once, then each
// message from the parent is one invocation of `handler`. Started with --enable-source-maps, like the construct's
// function. Error messages of the rotation function never carry a key.
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(process.argv[2]).href);
process.on('message', async ({ id, event, functionArn, remainingMs }) => {
  const deadline = Date.now() + remainingMs;
  const context = { invokedFunctionArn: functionArn, getRemainingTimeInMillis: () => deadline - Date.now() };
  try {
    process.send({ id, ok: true, result: (await handler(event, context)) ?? null });
  } catch (error) {
    process.send({ id, ok: false, error: { name: error?.name, code: error?.code, message: String(error?.message) } });
  }
});
process.send({ ready: true, node: process.version, handler: typeof handler });
