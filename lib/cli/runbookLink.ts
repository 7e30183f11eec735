import { RUNBOOK_URL } from '../constants.ts';

/** Where a failure reason is explained: the runbook's entry for the code, a URL that works from node_modules too. */
export function runbookLink(code: string): string {
  return `${RUNBOOK_URL}#${code.toLowerCase()}`;
}
