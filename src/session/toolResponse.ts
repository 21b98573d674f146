// The responses Parley asks for with tool outputs, told apart from the others by the metadata on
// their response.create (echoed in response.created), and whether each was superseded: a caller
// turn that began after the response.create went out and before the provider created it asked a
// newer question, so that response must not be heard (TC4; specs/Tools.tla). Bounded.

const MAX_PENDING = 8;
/** The metadata key marking Parley's tool-output responses (its value: the request's tag). */
export const TOOL_RESPONSE_KEY = 'parley_tool_response';

export class ToolResponseGate {
  private callerTurns = 0;
  private seq = 0;
  /** tag → caller turns counted when the response.create went out. */
  private readonly pending = new Map<string, number>();
  /** Responses found superseded (their own function calls answer a stale question too). */
  private readonly superseded = new Set<string>();

  /** A caller turn began (speech_started on the current connection). */
  onCallerTurn(): void {
    this.callerTurns++;
  }

  /** The metadata for a new tool-output response.create. */
  request(): Record<string, string> {
    const tag = `t${++this.seq}`;
    this.pending.set(tag, this.callerTurns);
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    return { [TOOL_RESPONSE_KEY]: tag };
  }

  /**
   * On response.created: 'superseded' when it is a tool-output response and a caller turn began
   * since it was asked for; 'kept' for one that was not; 'other' for any other response.
   */
  created(responseId: string, metadata: Readonly<Record<string, string>> | undefined): 'kept' | 'superseded' | 'other' {
    const tag = metadata?.[TOOL_RESPONSE_KEY];
    const at = tag === undefined ? undefined : this.pending.get(tag);
    if (tag === undefined || at === undefined) return 'other';
    this.pending.delete(tag);
    if (this.callerTurns <= at) return 'kept';
    this.superseded.add(responseId);
    if (this.superseded.size > MAX_PENDING) this.superseded.delete(this.superseded.values().next().value as string);
    return 'superseded';
  }

  isSuperseded(responseId: string): boolean {
    return this.superseded.has(responseId);
  }
}
