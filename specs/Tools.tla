-------------------------------- MODULE Tools --------------------------------
(***************************************************************************)
(* Tool calls of one model response (src/session/toolCalls.ts; issue 15,   *)
(* specs/PROPERTIES.md TC1-TC3), driven through the generated toolCalls    *)
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
(* MUTANT re-introduces one bug (specs/mutants/Tools_*.cfg).                *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
    CALLS,      \* function calls the response makes
    N,          \* requests in flight per call
    MUTANT      \* "none", or the bug to re-introduce

ASSUME CALLS >= 1 /\ N >= 1
ASSUME MUTANT \in {"none", "no_link_lost", "no_turn_event", "no_abort"}

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
    badCreate         \* a response.create went out after a newer turn or while a response was active

vars == <<tst, out, stale, conn, announced, respDone, waiting, inflight, newerTurn, activeResp, ended, sentCount, sentOn, badCreate>>

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
    /\ LET abort == Runs(e, "abortRequests") /\ MUTANT /= "no_abort" IN
         /\ inflight' = IF abort THEN 0 ELSE inf
         /\ waiting' = IF abort THEN 0 ELSE IF Runs(e, "startRequest") THEN wai + 1 ELSE wai

(***************************************************************************)
(* Provider                                                                *)
(***************************************************************************)
ProviderCall ==
    /\ ~ended /\ conn = 1 /\ ~respDone /\ announced < CALLS
    /\ announced' = announced + 1
    /\ Tool([type |-> "FUNCTION_CALL"], inflight, waiting)
    /\ UNCHANGED <<conn, respDone, newerTurn, activeResp, ended>>

ProviderDone ==
    /\ ~ended /\ conn = 1 /\ ~respDone /\ announced >= 1
    /\ respDone' = TRUE
    /\ Tool([type |-> "RESPONSE_DONE"], inflight, waiting)
    /\ UNCHANGED <<conn, announced, newerTurn, activeResp, ended>>

\* The link is lost; the runtime reconnects (connection 2). The machine hears of it.
LinkLost ==
    /\ ~ended /\ conn = 1
    /\ conn' = 2
    /\ IF MUTANT = "no_link_lost"
         THEN UNCHANGED <<tst, out, stale, sentCount, sentOn, badCreate, inflight, waiting>>
         ELSE Tool([type |-> "LINK_LOST"], inflight, waiting)
    /\ UNCHANGED <<announced, respDone, newerTurn, activeResp, ended>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
\* A waiting call gets a request slot (the runtime's bound: at most N in flight).
Start ==
    /\ ~ended /\ waiting > 0 /\ inflight < N
    /\ waiting' = waiting - 1
    /\ inflight' = inflight + 1
    /\ UNCHANGED <<tst, out, stale, conn, announced, respDone, newerTurn, activeResp, ended, sentCount, sentOn, badCreate>>

\* A request ends: its output (or error output) is ready.
Finish ==
    /\ inflight > 0
    /\ Tool([type |-> "OUTPUT", responseActive |-> activeResp], inflight - 1, waiting)
    /\ UNCHANGED <<conn, announced, respDone, newerTurn, activeResp, ended>>

\* The caller talks over the running tools: a newer turn with its own response.
CallerTurn ==
    /\ ~ended /\ ~newerTurn /\ announced >= 1
    /\ newerTurn' = TRUE
    /\ activeResp' = TRUE
    /\ IF MUTANT = "no_turn_event"
         THEN UNCHANGED <<tst, out, stale, sentCount, sentOn, badCreate, inflight, waiting>>
         ELSE Tool([type |-> "CALLER_TURN"], inflight, waiting)
    /\ UNCHANGED <<conn, announced, respDone, ended>>

NewerResponseEnds ==
    /\ activeResp
    /\ activeResp' = FALSE
    /\ UNCHANGED <<tst, out, stale, conn, announced, respDone, waiting, inflight, newerTurn, ended, sentCount, sentOn, badCreate>>

\* Cleanup (session's beginCleanup).
End ==
    /\ ~ended
    /\ ended' = TRUE
    /\ Tool([type |-> "END"], inflight, waiting)
    /\ UNCHANGED <<conn, announced, respDone, newerTurn, activeResp>>

(***************************************************************************)
Init ==
    /\ tst = TM!Initial /\ out = 0 /\ stale = FALSE
    /\ conn = 1 /\ announced = 0 /\ respDone = FALSE
    /\ waiting = 0 /\ inflight = 0
    /\ newerTurn = FALSE /\ activeResp = FALSE /\ ended = FALSE
    /\ sentCount = [i \in Calls |-> 0] /\ sentOn = {} /\ badCreate = FALSE

Next == ProviderCall \/ ProviderDone \/ LinkLost \/ Start \/ Finish \/ CallerTurn \/ NewerResponseEnds \/ End

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ tst \in TM!States /\ out \in 0..CALLS /\ stale \in BOOLEAN
    /\ conn \in {1, 2} /\ announced \in 0..CALLS /\ waiting \in 0..CALLS /\ inflight \in 0..CALLS
    /\ sentCount \in [Calls -> 0..2]

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

=============================================================================
