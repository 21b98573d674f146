----------------------------- MODULE CallControl -----------------------------
(***************************************************************************)
(* The agent ends or transfers the call (src/session/callControl.ts; issue *)
(* 19, specs/PROPERTIES.md CC1-CC4), driven through the generated          *)
(* callControl machine.                                                    *)
(*                                                                         *)
(* Provider: streams the deciding response (up to GOODBYE chunks), then    *)
(* ends it; after a failed transfer a new response may follow.             *)
(* JS thread: the decision (end_call / transfer_call / a timeout) arrives  *)
(* at any moment of the response; the tool's output becomes ready and the  *)
(* toolCalls runtime asks for a response unless the conversation is        *)
(* closing; each tick the runtime reports FAR_DRAINED when the ring and    *)
(* the far side are empty; the wait timer may fire at any moment.          *)
(* Media thread: moves chunks from the ring to the far side (the socket).  *)
(* Far side: plays what it holds (Twilio: marks echo; audio-stream: the    *)
(* far-side model empties).                                                *)
(* Platform: the action issued succeeds or fails (a REST error, an ESL     *)
(* -ERR or the command timeout).                                           *)
(* Caller: may hang up at any moment (session cleanup: CALL_ENDED).        *)
(* MUTANT re-introduces one bug (specs/mutants/CallControl_*.cfg).         *)
(***************************************************************************)
EXTENDS Naturals

CONSTANTS
    GOODBYE,    \* audio chunks of the deciding response
    DECISIONS,  \* decisions in one call (a failed transfer lets the model decide again)
    MUTANT      \* "none", or the bug to re-introduce

ASSUME GOODBYE >= 1 /\ DECISIONS >= 1
ASSUME MUTANT \in {"none", "tool_output_creates_response", "ring_empty_is_drained", "no_call_ended_route", "failure_swallowed"}

VARIABLES
    cst,          \* callControl machine configuration
    produced,     \* chunks of the current response the provider has sent
    respDone,     \* the current response is done
    responses,    \* responses so far (the first one, and one after each failed transfer)
    ring,         \* chunks in the JS backlog and the playout ring
    far,          \* chunks sent to the far side and not yet played
    decisions,    \* decisions taken so far
    closing,      \* a decision stands and the conversation has not been reopened
    toolOutput,   \* the deciding tool's output is ready to be handled by the toolCalls runtime
    timer,        \* the wait timer: "off", "armed", "fired"
    platform,     \* the platform action: "idle", "pending", "ok", "failed"
    reported,     \* the runtime has heard the platform's answer
    issuedNow,    \* platform actions issued for the current decision
    issuedAll,    \* platform actions issued in the whole call
    callerLeft,   \* the caller hung up
    sessionEnded, \* the session's cleanup began (from the caller, or from endSession)
    captureOn,    \* caller audio is forwarded to the model
    badCreate,    \* a response.create went out while the conversation was closing
    cutGoodbye,   \* an action went out before the rest of the response was heard, and the bound had not passed
    afterLeft     \* an action went out after the caller had left

vars == <<cst, produced, respDone, responses, ring, far, decisions, closing, toolOutput, timer, platform, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, badCreate, cutGoodbye, afterLeft>>

(***************************************************************************)
(* The generated machine, with the meaning of its guard.                   *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "responseDone" -> e.responseDone

CC == INSTANCE CallControlMachine WITH state <- cst

ASSUME CC!KnownStates({"live", "ended"}) /\ CC!KnownTags({"cc.closing"})
       /\ CC!KnownEvents({"END_CALL", "TRANSFER", "FAR_DRAINED", "TIMER_FIRED", "ACTION_OK", "ACTION_FAILED", "CALL_ENDED"})
       /\ CC!KnownActions({"closeConversation", "startWaitTimer", "cancelWaitTimer", "issueHangup", "issueTransfer", "reopenConversation", "endSession"})
       /\ CC!KnownGuards({"responseDone"})

Runs(e, a) == CC!Runs(cst, e, G, a)

\* One machine step and its effects; ends: the step comes with the session's cleanup.
FxE(e, ends) ==
    LET issue == Runs(e, "issueHangup") \/ Runs(e, "issueTransfer") IN
    /\ cst' = CC!Next(cst, e, G)
    /\ captureOn' = IF Runs(e, "closeConversation") THEN FALSE
                    ELSE IF Runs(e, "reopenConversation") THEN TRUE ELSE captureOn
    /\ closing' = IF Runs(e, "closeConversation") THEN TRUE
                  ELSE IF Runs(e, "reopenConversation") THEN FALSE ELSE closing
    /\ timer' = IF Runs(e, "startWaitTimer") THEN "armed"
                ELSE IF Runs(e, "cancelWaitTimer") THEN "off"
                ELSE IF e.type = "TIMER_FIRED" THEN "fired" ELSE timer
    /\ platform' = IF issue THEN "pending" ELSE platform
    /\ reported' = IF issue THEN FALSE ELSE IF e.type \in {"ACTION_OK", "ACTION_FAILED"} THEN TRUE ELSE reported
    /\ issuedNow' = IF issue THEN issuedNow + 1 ELSE issuedNow
    /\ issuedAll' = IF issue THEN issuedAll + 1 ELSE issuedAll
    /\ cutGoodbye' = (cutGoodbye \/ (issue /\ ~(respDone /\ ring = 0 /\ far = 0) /\ timer /= "fired" /\ e.type /= "TIMER_FIRED"))
    /\ afterLeft' = (afterLeft \/ (issue /\ callerLeft))
    \* endSession: the session stops (STOP), its cleanup begins.
    /\ sessionEnded' = (sessionEnded \/ ends \/ Runs(e, "endSession"))

Fx(e) == FxE(e, FALSE)

Unchanged == UNCHANGED <<produced, respDone, responses, ring, far, decisions, toolOutput, callerLeft, badCreate>>

(***************************************************************************)
(* Provider                                                                *)
(***************************************************************************)
ProviderAudio ==
    /\ ~sessionEnded /\ ~respDone /\ produced < GOODBYE
    /\ produced' = produced + 1
    /\ ring' = ring + 1
    /\ UNCHANGED <<responses, cst, respDone, far, decisions, closing, toolOutput, timer, platform, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, badCreate, cutGoodbye, afterLeft>>

ProviderDone ==
    /\ ~sessionEnded /\ ~respDone
    /\ respDone' = TRUE
    /\ UNCHANGED <<responses, cst, produced, ring, far, decisions, closing, toolOutput, timer, platform, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, badCreate, cutGoodbye, afterLeft>>

\* The conversation goes on (after a failed transfer): the model answers with a new response.
NewResponse ==
    /\ ~sessionEnded /\ respDone /\ cst = "live" /\ responses < DECISIONS
    /\ produced' = 0 /\ respDone' = FALSE /\ responses' = responses + 1
    /\ UNCHANGED <<cst, ring, far, decisions, closing, toolOutput, timer, platform, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, badCreate, cutGoodbye, afterLeft>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
\* end_call / transfer_call (a checked target) / an idle or max-duration timeout.
Decide(kind) ==
    /\ ~sessionEnded /\ cst = "live" /\ decisions < DECISIONS
    /\ decisions' = decisions + 1
    /\ toolOutput' = TRUE
    /\ issuedNow' = 0
    /\ platform' = "idle" /\ reported' = FALSE
    /\ LET e == IF kind = "end" THEN [type |-> "END_CALL", reason |-> "agent_ended"] ELSE [type |-> "TRANSFER"] IN
         /\ cst' = CC!Next(cst, e, G)
         /\ captureOn' = IF Runs(e, "closeConversation") THEN FALSE ELSE captureOn
         /\ closing' = (closing \/ Runs(e, "closeConversation"))
         /\ timer' = IF Runs(e, "startWaitTimer") THEN "armed" ELSE timer
    /\ UNCHANGED <<responses, produced, respDone, ring, far, issuedAll, callerLeft, sessionEnded, badCreate, cutGoodbye, afterLeft>>

\* The tool's output is ready: toolCalls asks for a response unless the conversation is closing.
ToolOutput ==
    /\ toolOutput /\ ~sessionEnded
    /\ toolOutput' = FALSE
    /\ LET create == (MUTANT = "tool_output_creates_response") \/ ~CC!HasTag(cst, "cc.closing") IN
         badCreate' = (badCreate \/ (create /\ closing))
    /\ UNCHANGED <<responses, cst, produced, respDone, ring, far, decisions, closing, timer, platform, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, cutGoodbye, afterLeft>>

\* The tick's drain check: the far side (or, in the mutant, only the ring) is empty.
Drained ==
    /\ ~sessionEnded /\ ring = 0
    /\ far = 0 \/ MUTANT = "ring_empty_is_drained"
    /\ CC!HasTag(cst, "cc.closing") /\ cst \notin {"hangingUp", "handingOff", "ended"}
    /\ Fx([type |-> "FAR_DRAINED", responseDone |-> respDone])
    /\ Unchanged

TimerFires ==
    /\ timer = "armed"
    /\ Fx([type |-> "TIMER_FIRED"])
    /\ Unchanged

\* The platform's answer reaches the machine (the mutant swallows a failure).
Answer ==
    /\ platform \in {"ok", "failed"} /\ ~reported
    /\ IF platform = "failed" /\ MUTANT = "failure_swallowed"
         THEN /\ reported' = TRUE
              /\ UNCHANGED <<responses, cst, closing, timer, platform, issuedNow, issuedAll, sessionEnded, captureOn, cutGoodbye, afterLeft>>
         ELSE Fx([type |-> IF platform = "ok" THEN "ACTION_OK" ELSE "ACTION_FAILED"])
    /\ Unchanged

(***************************************************************************)
(* Media thread, far side, platform, caller                                *)
(***************************************************************************)
Send ==
    /\ ~sessionEnded /\ ring > 0
    /\ ring' = ring - 1 /\ far' = far + 1
    /\ UNCHANGED <<responses, cst, produced, respDone, decisions, closing, toolOutput, timer, platform, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, badCreate, cutGoodbye, afterLeft>>

Play ==
    /\ far > 0 /\ ~callerLeft
    /\ far' = far - 1
    /\ UNCHANGED <<responses, cst, produced, respDone, ring, decisions, closing, toolOutput, timer, platform, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, badCreate, cutGoodbye, afterLeft>>

PlatformAnswers ==
    /\ platform = "pending"
    /\ platform' \in {"ok", "failed"}
    /\ UNCHANGED <<responses, cst, produced, respDone, ring, far, decisions, closing, toolOutput, timer, reported, issuedNow, issuedAll, callerLeft, sessionEnded, captureOn, badCreate, cutGoodbye, afterLeft>>

\* The caller hangs up (or the platform ends the leg): session cleanup, routed as CALL_ENDED.
CallerHangsUp ==
    /\ ~callerLeft
    /\ callerLeft' = TRUE
    /\ IF MUTANT = "no_call_ended_route" \/ sessionEnded
         THEN /\ sessionEnded' = TRUE
              /\ UNCHANGED <<responses, cst, closing, timer, platform, reported, issuedNow, issuedAll, captureOn, cutGoodbye, afterLeft>>
         ELSE FxE([type |-> "CALL_ENDED"], TRUE)
    /\ UNCHANGED <<responses, produced, respDone, ring, far, decisions, toolOutput, badCreate>>

(***************************************************************************)
Init ==
    /\ cst = CC!Initial
    /\ produced = 0 /\ respDone = FALSE /\ responses = 1 /\ ring = 0 /\ far = 0
    /\ decisions = 0 /\ closing = FALSE /\ toolOutput = FALSE /\ timer = "off"
    /\ platform = "idle" /\ reported = FALSE /\ issuedNow = 0 /\ issuedAll = 0
    /\ callerLeft = FALSE /\ sessionEnded = FALSE /\ captureOn = TRUE
    /\ badCreate = FALSE /\ cutGoodbye = FALSE /\ afterLeft = FALSE

Next ==
    \/ ProviderAudio \/ ProviderDone \/ NewResponse
    \/ Decide("end") \/ Decide("transfer") \/ ToolOutput \/ Drained \/ TimerFires \/ Answer
    \/ Send \/ Play \/ PlatformAnswers \/ CallerHangsUp

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ cst \in CC!States /\ produced \in 0..GOODBYE /\ responses \in 1..DECISIONS /\ decisions \in 0..DECISIONS
    /\ timer \in {"off", "armed", "fired"} /\ platform \in {"idle", "pending", "ok", "failed"}

\* CC1: once the call is to end or be transferred, no response is requested (until a failed
\* transfer reopens the conversation), and the caller's audio no longer reaches the model.
CC1_NoNewResponse ==
    /\ ~badCreate
    /\ closing => ~captureOn

\* CC2: the platform action waits until the rest of the deciding response has been heard at
\* the far side, or until the bound passed.
CC2_GoodbyeHeard == ~cutGoodbye

\* CC3: at most one platform action per decision, none after the caller left.
CC3_OneAction ==
    /\ issuedNow <= 1
    /\ issuedAll <= decisions
    /\ ~afterLeft

\* CC4: once the platform's answer is a failure, the call is in a defined state: the
\* conversation goes on (transfer) or the call ends (hang-up).
CC4_FailureDefined ==
    (platform = "failed" /\ reported) =>
        \/ cst = "live" /\ ~closing /\ captureOn
        \/ cst = "ended" /\ sessionEnded

=============================================================================
