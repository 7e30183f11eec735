import type { InvocationCall } from './ChaosStack.ts';
import type { RunContext } from './RunContext.ts';

interface LastCheck {
  /** Clerk's current key when finishSecret read it. */
  readonly clerkKey: string;
  /** How many rotations Clerk had made by then. */
  readonly rotations: number;
}

interface Move extends LastCheck {
  readonly token: string;
  /** Rotations Clerk made between finishSecret's read and its move of AWSCURRENT. */
  readonly rotationsSince: number;
}

/**
 * I6's guard at promotion (docs/decisions/007, decision 6): finishSecret reads Clerk's key immediately before it moves
 * AWSCURRENT and never promotes a key Clerk has already replaced. Watched from the hooks: the Clerk read of a
 * finishSecret (its only GetMachineSecretKey) and the Secrets Manager label move that follows it. Once the version
 * has been AWSCURRENT, its key must be the one Clerk showed at the read — unless Clerk rotated between the read and
 * the move (a dashboard rotation or a landing in that window: a race no check can close; the verification heals it).
 */
export class PromotionWatch {
  readonly #ctx: RunContext;
  /** By invocation: duplicates of one finishSecret each make their own read. */
  readonly #reads = new Map<number, LastCheck>();
  #moves: Move[] = [];

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
  }

  /** From the hook, after the call's planned effects fired (they come before the call). */
  onCall(call: InvocationCall): void {
    if (call.step !== 'finishSecret' || call.token === undefined || call.invocation === undefined) return;
    const { lineage } = this.#ctx;
    if (call.service === 'clerk' && call.operation === 'getMachineSecretKey') {
      this.#reads.set(call.invocation, { clerkKey: lineage.currentKey(), rotations: lineage.history.length });
      return;
    }
    const read = this.#reads.get(call.invocation);
    if (call.operation !== 'UpdateSecretVersionStage' || read === undefined) return;
    this.#reads.delete(call.invocation);
    this.#moves.push({ ...read, token: call.token, rotationsSince: lineage.history.length - read.rotations });
  }

  /**
   * After an action: a version that became AWSCURRENT holds the key Clerk showed when one of its finishSecrets read
   * it, or Clerk rotated between that read and the move. (Which of two duplicate finishSecrets moved the label the
   * hooks cannot tell — one of them may have been refusing — so one explained move is enough.)
   */
  async check(wasCurrent: (versionId: string) => boolean, where: string): Promise<void> {
    const byToken = new Map<string, Move[]>();
    for (const move of this.#moves) byToken.set(move.token, [...(byToken.get(move.token) ?? []), move]);
    this.#moves = [];
    for (const [token, moves] of byToken) {
      if (!wasCurrent(token) || moves.some((move) => move.rotationsSince > 0)) continue;
      const key = await this.#ctx.view.keyOf(token);
      if (moves.some((move) => move.clerkKey === key)) continue;
      this.#ctx.violate(
        `I6 (${where}): finishSecret promoted version ${token}, whose key Clerk had already replaced when it checked`,
      );
    }
  }
}
