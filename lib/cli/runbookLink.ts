/** Where a failure reason is explained: one anchor per error code, written by the rotation's runbook. */
export function runbookLink(code: string): string {
  return `docs/runbook.md#${code.toLowerCase()}`;
}
