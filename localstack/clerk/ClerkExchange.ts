import type { AuditOutcome } from './AuditLog.ts';
import type { AuditedOperation } from './clerkOperations.ts';

/**
 * One request and its response as seen on the wire, handed to `onExchange` for recording (contract tests).
 * The Authorization header is redacted to `Bearer [redacted]`; bodies are verbatim, and `GET …/secret_key`
 * responses and token bodies contain live secrets — record them, never print them.
 */
export interface ClerkExchange {
  readonly operation: AuditedOperation;
  readonly outcome: AuditOutcome;
  readonly request: {
    readonly method: string;
    /** Full path including `/v1`, without the query string. */
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    /** Lower-cased header names; authorization redacted. */
    readonly headers: Readonly<Record<string, string>>;
    /** Raw body text; undefined when none was sent (or read, for calls dropped before processing). */
    readonly body: string | undefined;
  };
  /** Undefined when the connection was dropped instead of answered. */
  readonly response:
    | {
        readonly status: number;
        readonly headers: Readonly<Record<string, string>>;
        /** Parsed JSON when the body parses, otherwise undefined. */
        readonly body: unknown;
        readonly rawBody: string;
      }
    | undefined;
}
