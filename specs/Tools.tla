-------------------------------- MODULE Tools --------------------------------
(***************************************************************************)
(* Tool calls of one model response (src/session/toolCalls.ts; issue 15,   *)
(* specs/PROPERTIES.md TC1-TC5), driven through the generated toolCalls    *)
(* machine.                                                                *)
(*                                                                         *)
(* Provider (connection 1, the issuing one): announces up to CALLS         *)
(* function calls of one response, then ends the response. The link may be *)
(* lost once (the runtime reconnects: connection 2, which does not know    *)
(* the call_ids).                                                          *)
(*                                                                         *)
(* JS thread: each announced call waits for a request slot (at most N in   *)
(* flight per call); a request ends with an output (or an error output,    *)
(* the same for the protocol) at any moment; the caller may begin a newer  *)
(* turn, which gets its own response (active until it ends); the call may  *)
(* end at any moment (cleanup). Outputs and response.create go to the      *)
(* client's current socket: the machine decides whether they are sent.     *)
(*                                                                         *)
(* The response Parley asks for the outputs is created by the provider     *)
(* later (response.created in flight); a newer caller turn may begin in    *)
(* between: the runtime then cancels it and drops its audio (TC4). The     *)
(* conversation memory replayed into connection 2 holds the function calls *)
(* and their outputs, remembered when the outputs are sent (TC5).          *)
(* MUTANT re-introduces one bug (specs/mutants/Tools_*.cfg).                *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
    CALLS,      \* function calls the response makes
    N,          \* requests in flight per call
    MUTANT      \* "none", or the bug to re-introduce

ASSUME CALLS >= 1 /\ N >= 1
ASSUME MUTANT \in {"none", "no_link_lost", "no_turn_event", "no_abort", "no_supersede_check", "remember_call_early"}

Calls == 1..CALLS

VARIABLES
    tst, out, stale,  \* toolCalls machine: configuration, context.outstanding, context.stale
    conn,             \* the client's current connection (1 issued the calls)
    announced,        \* calls announced by the provider
    respDone,         \* the response that made them is done
    waiting,          \* announced calls waiting for a request slot
    inflight,         \* requests running
    newerTurn,        \* the caller began a newer turn after the calls
    activeResp,       \* the newer turn's response is active
    ended,            \* cleanup has begun
    sentCount,        \* outputs sent per call
    sentOn,           \* <<call, connection>> of every output sent
    badCreate,        \* a response.create went out after a newer turn or while a response was active
    toolResp,         \* the response asked for the outputs: "none", "requested" (response.create sent,
                      \* not created yet), "active" (created and heard), "cancelled" (created, then dropped)
    lateTurn,         \* the newer caller turn began while the tool response was requested, not created
    toolAudio,        \* audio of the tool response was played
    remembered,       \* conversation memory: <<call, "call">> and <<call, "output">> items
    replayed          \* the items replayed into connection 2

vars == <<tst, out, stale, conn, announced, respDone, waiting, inflight, newerTurn, activeResp, ended, sentCount, sentOn, badCreate,
          toolResp, lateTurn, toolAudio, remembered, replayed>>
new == <<toolResp, lateTurn, toolAudio, remembered, replayed>>

(***************************************************************************)
(* The generated machine, with the meaning of its guards.                  *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "isLastOutput"     -> e.type = "OUTPUT" /\ out = 1
      [] name = "noneOutstanding"  -> out = 0
      [] name = "isStale"          -> stale
      [] name = "isResponseActive" -> e.type = "OUTPUT" /\ e.responseActive

TM == INSTANCE ToolCallsMachine WITH state <- tst

Runs(e, a) == TM!Runs(tst, e, G, a)

\* The machine takes e; inf and wai are the environment's new request counts before its actions.
Tool(e, inf, wai) ==
    /\ tst' = TM!Next(tst, e, G)
    /\ out' = IF Runs(e, "reset") THEN 0
              ELSE IF Runs(e, "addCall") THEN out + 1
              ELSE IF Runs(e, "takeOutput") /\ e.type = "OUTPUT" /\ out > 0 THEN out - 1
              ELSE out
    /\ stale' = IF Runs(e, "reset") THEN FALSE ELSE IF Runs(e, "markStale") THEN TRUE ELSE stale
    /\ sentCount' = IF Runs(e, "sendOutputs") THEN [i \in Calls |-> IF i <= announced THEN sentCount[i] + 1 ELSE sentCount[i]] ELSE sentCount
    /\ sentOn' = IF Runs(e, "sendOutputs") THEN sentOn \cup {<<i, conn>> : i \in 1..announced} ELSE sentOn
    /\ badCreate' = (badCreate \/ (Runs(e, "createResponse") /\ (newerTurn \/ activeResp)))
    /\ toolResp' = IF Runs(e, "createResponse") THEN "requested" ELSE toolResp
    \* The memory takes a call together with its output, when the outputs are sent.
    /\ remembered' = IF Runs(e, "sendOutputs")
                     THEN remembered \cup {<<i, "output">> : i \in 1..announced}
                                     \cup (IF MUTANT = "remember_call_early" THEN {} ELSE {<<i, "call">> : i \in 1..announced})
                     ELSE IF Runs(e, "addCall") /\ MUTANT = "remember_call_early"
                     THEN remembered \cup {<<announced + 1, "call">>}
                     ELSE remembered
    /\ LET abort == Runs(e, "abortRequests") /\ MUTANT /= "no_abort" IN
         /\ inflight' = IF abort THEN 0 ELSE inf
         /\ waiting' = IF abort THEN 0 ELSE IF Runs(e, "startRequest") THEN wai + 1 ELSE wai

(***************************************************************************)
(* Provider                                                                *)
(***************************************************************************)
\* MUTANT remember_call_early: the memory takes the call when it is announced (as it takes a
\* transcript when it arrives), its output only when sent.
ProviderCall ==
    /\ ~ended /\ conn = 1 /\ ~respDone /\ announced < CALLS
    /\ announced' = announced + 1
    /\ Tool([type |-> "FUNCTION_CALL"], inflight, waiting)
    /\ UNCHANGED <<conn, respDone, newerTurn, activeResp, ended, lateTurn, toolAudio, replayed>>

ProviderDone ==
    /\ ~ended /\ conn = 1 /\ ~respDone /\ announced >= 1
    /\ respDone' = TRUE
    /\ Tool([type |-> "RESPONSE_DONE"], inflight, waiting)
    /\ UNCHANGED <<conn, announced, newerTurn, activeResp, ended, lateTurn, toolAudio, replayed>>

\* The link is lost; the runtime reconnects (connection 2) and replays the memory into it. The
\* machine hears of it. A response of connection 1 is gone with it.
LinkLost ==
    /\ ~ended /\ conn = 1
    /\ conn' = 2
    /\ replayed' = remembered
    /\ IF MUTANT = "no_link_lost"
         THEN UNCHANGED <<tst, out, stale, sentCount, sentOn, badCreate, inflight, waiting, toolResp, remembered>>
         ELSE Tool([type |-> "LINK_LOST"], inflight, waiting)
    /\ UNCHANGED <<announced, respDone, newerTurn, activeResp, ended, lateTurn, toolAudio>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
\* A waiting call gets a request slot (the runtime's bound: at most N in flight).
Start ==
    /\ ~ended /\ waiting > 0 /\ inflight < N
    /\ waiting' = waiting - 1
    /\ inflight' = inflight + 1
    /\ UNCHANGED <<tst, out, stale, conn, announced, respDone, newerTurn, activeResp, ended, sentCount, sentOn, badCreate>>
    /\ UNCHANGED new

\* A request ends: its output (or error output) is ready.
Finish ==
    /\ inflight > 0
    /\ Tool([type |-> "OUTPUT", responseActive |-> activeResp], inflight - 1, waiting)
    /\ UNCHANGED <<conn, announced, respDone, newerTurn, activeResp, ended, lateTurn, toolAudio, replayed>>

\* The caller talks over the running tools, or after their response was asked for: a newer turn
\* with its own response. A tool response already created is barged in on (BI1: not modelled
\* further); one still requested is superseded (TC4).
CallerTurn ==
    /\ ~ended /\ ~newerTurn /\ announced >= 1
    /\ newerTurn' = TRUE
    /\ activeResp' = TRUE
    /\ lateTurn' = (toolResp = "requested")
    /\ IF MUTANT = "no_turn_event"
         THEN UNCHANGED <<tst, out, stale, sentCount, sentOn, badCreate, inflight, waiting, toolResp, remembered>>
         ELSE Tool([type |-> "CALLER_TURN"], inflight, waiting)
    /\ UNCHANGED <<conn, announced, respDone, ended, toolAudio, replayed>>

\* The provider creates the response asked for the outputs (response.created). The runtime keeps
\* it only if no caller turn began since it asked; otherwise it cancels it (its audio is stale).
\* MUTANT no_supersede_check: every created response is kept.
ToolResponseCreated ==
    /\ ~ended /\ conn = 1 /\ toolResp = "requested"
    /\ toolResp' = IF lateTurn /\ MUTANT /= "no_supersede_check" THEN "cancelled" ELSE "active"
    /\ UNCHANGED <<tst, out, stale, conn, announced, respDone, waiting, inflight, newerTurn, activeResp, ended, sentCount, sentOn, badCreate>>
    /\ UNCHANGED <<lateTurn, toolAudio, remembered, replayed>>

\* Audio of the kept tool response is played.
ToolAudio ==
    /\ ~ended /\ conn = 1 /\ toolResp = "active" /\ ~toolAudio
    /\ toolAudio' = TRUE
    /\ UNCHANGED <<tst, out, stale, conn, announced, respDone, waiting, inflight, newerTurn, activeResp, ended, sentCount, sentOn, badCreate>>
    /\ UNCHANGED <<toolResp, lateTurn, remembered, replayed>>

NewerResponseEnds ==
    /\ activeResp
    /\ activeResp' = FALSE
    /\ UNCHANGED <<tst, out, stale, conn, announced, respDone, waiting, inflight, newerTurn, ended, sentCount, sentOn, badCreate>>
    /\ UNCHANGED new

\* Cleanup (session's beginCleanup).
End ==
    /\ ~ended
    /\ ended' = TRUE
    /\ Tool([type |-> "END"], inflight, waiting)
    /\ UNCHANGED <<conn, announced, respDone, newerTurn, activeResp, lateTurn, toolAudio, replayed>>

(***************************************************************************)
Init ==
    /\ tst = TM!Initial /\ out = 0 /\ stale = FALSE
    /\ conn = 1 /\ announced = 0 /\ respDone = FALSE
    /\ waiting = 0 /\ inflight = 0
    /\ newerTurn = FALSE /\ activeResp = FALSE /\ ended = FALSE
    /\ sentCount = [i \in Calls |-> 0] /\ sentOn = {} /\ badCreate = FALSE
    /\ toolResp = "none" /\ lateTurn = FALSE /\ toolAudio = FALSE
    /\ remembered = {} /\ replayed = {}

Next == ProviderCall \/ ProviderDone \/ LinkLost \/ Start \/ Finish \/ CallerTurn \/ ToolResponseCreated \/ ToolAudio
        \/ NewerResponseEnds \/ End

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ tst \in TM!States /\ out \in 0..CALLS /\ stale \in BOOLEAN
    /\ conn \in {1, 2} /\ announced \in 0..CALLS /\ waiting \in 0..CALLS /\ inflight \in 0..CALLS
    /\ sentCount \in [Calls -> 0..2]
    /\ toolResp \in {"none", "requested", "active", "cancelled"}
    /\ remembered \subseteq Calls \X {"call", "output"} /\ replayed \subseteq remembered

\* TC1: every call_id gets at most one output, and only on the connection that issued it.
TC1_OneOutputPerCall ==
    /\ \A i \in Calls : sentCount[i] <= 1
    /\ \A s \in sentOn : s[2] = 1

\* TC2: no response.create for outputs after a newer caller turn, nor while a response is active.
TC2_NoStaleAnswer == ~badCreate

\* TC3: at most N requests in flight; after cleanup none is running or waiting.
TC3_Bounded ==
    /\ inflight <= N
    /\ ended => (inflight = 0 /\ waiting = 0)

\* TC4: audio of the response asked for the outputs plays only if no newer caller turn began
\* before the provider created it.
TC4_NoSupersededAudio == toolAudio => ~lateTurn

\* TC5: the conversation replayed after the reconnect has no function call without its output.
TC5_ReplayConsistent == \A i \in Calls : <<i, "call">> \in replayed => <<i, "output">> \in replayed

=============================================================================
