// `npm run demo`: one real rotation on the local stack, narrated. Colour only on a TTY (and never with NO_COLOR).
import { runDemo } from '../localstack/runDemo.ts';

const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
runDemo({ write: (line) => process.stdout.write(`${line}\n`), color }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
