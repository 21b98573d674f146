------------------------------ MODULE Greeting ------------------------------
(***************************************************************************)
(* The agent speaks first, and its greeting may not be interrupted         *)
(* (agent profile `greetingInterruptible: false`; specs/PROPERTIES.md GR1, *)
(* GR2).                                                                   *)
(*                                                                         *)
(* AI provider: the greeting is response 1 (Parley asked for it when the   *)
(* link opened, so the provider's first response.created is it and JS      *)
(* marks it held). After it, the provider creates one reply (response 2)   *)
(* whenever nothing is active — e.g. on its own after the caller spoke     *)
(* over the greeting — so the reply may be queued right behind the         *)
(* greeting. Deltas, response.done and the server-VAD events travel over   *)
(* one TCP stream (aiCh); a response.cancel stops the active response.     *)
(*                                                                         *)
(* JS thread: drives the generated turn machine and performs its actions:  *)
(* write accepted chunks to the ring, bump the epoch and flush, clear the  *)
(* far side, cancel. On speech_started it reads, with the payload, how     *)
(* much of the held greeting was received but not yet heard (the runtime's *)
(* far-side account, src/session/in/ai.ts heldUnheard) — the greeting-     *)
(* Heard guard decides from that and the active response.                  *)
(*                                                                         *)
(* Media thread and far side (abstracted as in BargeIn.tla without marks): *)
(* chunks leave the ring for the far side, at most LEAD ahead of playback; *)
(* the far side plays them in order; a drain detector reports             *)
(* PLAYOUT_DRAINED once ring and far side are empty.                       *)
(*                                                                         *)
(* MUTANT re-introduces one plausible bug (specs/mutants/Greeting_*.cfg).  *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    GD,         \* audio deltas of the greeting (response 1)
    RD,         \* audio deltas of the reply (response 2)
    UTTER,      \* caller utterances
    LEAD,       \* frames output may lead playback by
    MUTANT      \* "none", or the bug to re-introduce

ASSUME GD >= 1 /\ RD >= 1 /\ UTTER >= 1 /\ LEAD >= 1
ASSUME MUTANT \in {"none", "release_on_response_done", "hold_until_quiet"}

R == 1..2
Greeting == 1
Deltas(r) == IF r = Greeting THEN GD ELSE RD

VARIABLES
    \* AI provider
    srvActive,  \* response being generated, or 0
    srvNext,    \* next response id
    srvDeltas,  \* [R -> deltas sent]
    aiCh,       \* provider -> JS messages, in TCP order
    toAi,       \* JS -> provider messages (cancels), in TCP order
    \* caller
    speaking,   \* the caller is talking
    utter,      \* utterances started
    \* JS thread: the machine and its context
    tst,        \* turn configuration
    epoch,      \* context.epoch
    written,    \* context.written
    active,     \* context.activeResponse, or 0
    held,       \* context.heldResponse, or 0
    writtenOf,  \* [R -> chunks of that response written]
    \* media thread and far side
    ring,       \* chunks written, not yet sent: [ep, r, seq]
    flushTo,    \* pending flush: the seq to flush to, or 0
    flushEp,
    consumed,   \* seq of the last chunk taken off the ring
    far,        \* frames at the far side, not yet played: [ep, r]
    reported,   \* the drain detector reported since the last change
    wake,       \* media -> JS reports
    heard,      \* [R -> frames of that response the caller heard]
    \* history
    greetingCut \* a barge-in or cancel happened while greeting audio was still to be heard

vars == <<srvActive, srvNext, srvDeltas, aiCh, toAi, speaking, utter, tst, epoch, written, active,
          held, writtenOf, ring, flushTo, flushEp, consumed, far, reported, wake, heard, greetingCut>>
srvVars == <<srvActive, srvNext, srvDeltas>>
jsVars == <<tst, epoch, written, active, held, writtenOf>>
mediaVars == <<ring, flushTo, flushEp, consumed, far, reported, wake, heard>>

Max(a, b) == IF a >= b THEN a ELSE b

\* Agent audio of the current epoch queued or buffered to play.
AgentAudible ==
    \/ \E i \in 1..Len(ring) : ring[i].ep = epoch
    \/ \E i \in 1..Len(far) : far[i].ep = epoch

\* The held greeting's frames received but not yet heard (speech_started's heldUnheardMs), or
\* the bug: nothing ("the greeting is over at response.done"), or "until the agent is quiet".
HeldUnheard ==
    CASE MUTANT = "release_on_response_done" -> 0
      [] MUTANT = "hold_until_quiet"        -> IF AgentAudible THEN 1 ELSE 0
      [] OTHER -> IF held = 0 THEN 0 ELSE writtenOf[held] - heard[held]

G(name, e, p) ==
    CASE name = "bargeInEnabled"    -> TRUE
      [] name = "greetingHeard"     -> held = 0 \/ (active /= held /\ e.type = "SPEECH_STARTED" /\ e.heldUnheard = 0)
      [] name = "hasActiveResponse" -> active /= 0
      [] name = "isActiveResponse"  -> active /= 0 /\ e.responseId = active
      [] name = "isCurrentEpoch"    -> e.epoch = epoch
      [] name = "isDrainedAll"      -> e.epoch = epoch /\ e.written = written

TM == INSTANCE TurnMachine WITH state <- tst
ASSUME TM!KnownTags({"agent.audio"})
    /\ TM!KnownEvents({"AUDIO_DELTA", "MEDIA_FLUSHED", "PLAYOUT_DRAINED", "RESPONSE_CREATED", "RESPONSE_DONE", "SPEECH_STARTED", "SPEECH_STOPPED"})
    /\ TM!KnownActions({"activateResponse", "bumpEpoch", "cancelActiveResponse", "clearActiveResponse", "enqueueAudio", "requestFlush", "sendCancel", "sendClear"})
    /\ TM!KnownGuards({"bargeInEnabled", "greetingHeard", "hasActiveResponse", "isActiveResponse", "isCurrentEpoch", "isDrainedAll"})

Runs(e, a) == TM!Runs(tst, e, G, a)

\* JS handles turn event e (aiChB: the provider channel after this step).
Turn(e, aiChB) ==
    LET bump   == Runs(e, "bumpEpoch")
        write  == Runs(e, "enqueueAudio")
        cancel == Runs(e, "sendCancel")
    IN
    /\ tst' = TM!Next(tst, e, G)
    /\ epoch' = IF bump THEN epoch + 1 ELSE epoch
    /\ written' = IF write THEN written + 1 ELSE written
    /\ active' = IF Runs(e, "activateResponse") THEN e.responseId
                 ELSE IF Runs(e, "clearActiveResponse") \/ Runs(e, "cancelActiveResponse") THEN 0
                 ELSE active
    /\ held' = IF Runs(e, "activateResponse") /\ e.hold THEN e.responseId ELSE held
    /\ writtenOf' = IF write THEN [writtenOf EXCEPT ![e.responseId] = @ + 1] ELSE writtenOf
    /\ ring' = IF write THEN Append(ring, [ep |-> epoch, r |-> e.responseId, seq |-> written + 1]) ELSE ring
    /\ IF Runs(e, "requestFlush") THEN flushTo' = written /\ flushEp' = epoch + 1
       ELSE UNCHANGED <<flushTo, flushEp>>
    \* the clear: the far side drops what it has not played
    /\ far' = IF Runs(e, "sendClear") THEN <<>> ELSE far
    /\ toAi' = IF cancel /\ active /= 0 THEN Append(toAi, active) ELSE toAi
    /\ greetingCut' = (greetingCut \/ ((bump \/ cancel) /\ heard[Greeting] < GD))
    /\ reported' = IF write THEN FALSE ELSE reported
    /\ aiCh' = aiChB

(***************************************************************************)
(* AI provider                                                             *)
(***************************************************************************)
SrvCreate ==
    /\ srvActive = 0 /\ srvNext <= 2
    /\ srvActive' = srvNext /\ srvNext' = srvNext + 1
    /\ aiCh' = Append(aiCh, [type |-> "created", r |-> srvNext])
    /\ UNCHANGED <<srvDeltas, toAi, speaking, utter, jsVars, mediaVars, greetingCut>>

SrvDelta ==
    /\ srvActive /= 0 /\ srvDeltas[srvActive] < Deltas(srvActive)
    /\ srvDeltas' = [srvDeltas EXCEPT ![srvActive] = @ + 1]
    /\ aiCh' = Append(aiCh, [type |-> "delta", r |-> srvActive])
    /\ UNCHANGED <<srvActive, srvNext, toAi, speaking, utter, jsVars, mediaVars, greetingCut>>

SrvDone ==
    /\ srvActive /= 0 /\ srvDeltas[srvActive] = Deltas(srvActive)
    /\ srvActive' = 0
    /\ aiCh' = Append(aiCh, [type |-> "done", r |-> srvActive])
    /\ UNCHANGED <<srvNext, srvDeltas, toAi, speaking, utter, jsVars, mediaVars, greetingCut>>

\* The provider takes our oldest cancel: it stops the response if it is still the active one.
SrvCancel ==
    /\ toAi /= <<>>
    /\ IF Head(toAi) = srvActive
         THEN srvActive' = 0 /\ aiCh' = Append(aiCh, [type |-> "done", r |-> Head(toAi)])
         ELSE UNCHANGED <<srvActive, aiCh>>
    /\ toAi' = Tail(toAi)
    /\ UNCHANGED <<srvNext, srvDeltas, speaking, utter, jsVars, mediaVars, greetingCut>>

(***************************************************************************)
(* Caller: the provider's VAD hears every utterance                       *)
(***************************************************************************)
CallerStart ==
    /\ ~speaking /\ utter < UTTER
    /\ speaking' = TRUE /\ utter' = utter + 1
    /\ aiCh' = Append(aiCh, [type |-> "speech_started", r |-> 0])
    /\ UNCHANGED <<srvVars, toAi, jsVars, mediaVars, greetingCut>>

CallerStop ==
    /\ speaking
    /\ speaking' = FALSE
    /\ aiCh' = Append(aiCh, [type |-> "speech_stopped", r |-> 0])
    /\ UNCHANGED <<srvVars, toAi, utter, jsVars, mediaVars, greetingCut>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
JsRest == <<srvVars, speaking, utter, consumed, heard>>

AiDeliver ==
    /\ aiCh /= <<>>
    /\ LET m == Head(aiCh)
           e == CASE m.type = "created" ->
                       [type |-> "RESPONSE_CREATED", responseId |-> m.r, hold |-> m.r = Greeting]
                  [] m.type = "delta" -> [type |-> "AUDIO_DELTA", responseId |-> m.r]
                  [] m.type = "done" -> [type |-> "RESPONSE_DONE", responseId |-> m.r]
                  [] m.type = "speech_started" -> [type |-> "SPEECH_STARTED", heldUnheard |-> HeldUnheard]
                  [] OTHER -> [type |-> "SPEECH_STOPPED"]
       IN Turn(e, Tail(aiCh))
    /\ UNCHANGED <<JsRest, wake>>

WakeDeliver ==
    /\ wake /= <<>>
    /\ Turn(Head(wake), aiCh)
    /\ wake' = Tail(wake)
    /\ UNCHANGED JsRest

(***************************************************************************)
(* Media thread and far side                                               *)
(***************************************************************************)
MediaRest == <<srvVars, aiCh, toAi, speaking, utter, jsVars, greetingCut>>

MFlush ==
    /\ flushTo /= 0
    /\ ring' = SelectSeq(ring, LAMBDA c : c.seq > flushTo)
    /\ consumed' = Max(consumed, flushTo)
    /\ wake' = Append(wake, [type |-> "MEDIA_FLUSHED", epoch |-> flushEp])
    /\ flushTo' = 0 /\ reported' = FALSE
    /\ UNCHANGED <<flushEp, far, heard, MediaRest>>

MEmit ==
    /\ flushTo = 0 /\ ring /= <<>> /\ Len(far) < LEAD
    /\ LET c == Head(ring) IN
       /\ consumed' = c.seq
       /\ far' = IF c.ep = epoch THEN Append(far, [ep |-> c.ep, r |-> c.r]) ELSE far
    /\ ring' = Tail(ring)
    /\ reported' = FALSE
    /\ UNCHANGED <<flushTo, flushEp, wake, heard, MediaRest>>

MDrained ==
    /\ flushTo = 0 /\ ring = <<>> /\ far = <<>> /\ ~reported
    /\ reported' = TRUE
    /\ wake' = Append(wake, [type |-> "PLAYOUT_DRAINED", epoch |-> epoch, written |-> consumed])
    /\ UNCHANGED <<ring, flushTo, flushEp, consumed, far, heard, MediaRest>>

FarPlay ==
    /\ far /= <<>>
    /\ heard' = [heard EXCEPT ![Head(far).r] = @ + 1]
    /\ far' = Tail(far)
    /\ UNCHANGED <<ring, flushTo, flushEp, consumed, reported, wake, MediaRest>>

(***************************************************************************)
(* Specification                                                           *)
(***************************************************************************)
Init ==
    /\ srvActive = 0 /\ srvNext = 1 /\ srvDeltas = [r \in R |-> 0] /\ aiCh = <<>> /\ toAi = <<>>
    /\ speaking = FALSE /\ utter = 0
    /\ TM!Init /\ epoch = 0 /\ written = 0 /\ active = 0 /\ held = 0 /\ writtenOf = [r \in R |-> 0]
    /\ ring = <<>> /\ flushTo = 0 /\ flushEp = 0 /\ consumed = 0 /\ far = <<>> /\ reported = FALSE
    /\ wake = <<>> /\ heard = [r \in R |-> 0] /\ greetingCut = FALSE

Finished ==
    /\ srvNext > 2 /\ srvActive = 0 /\ utter = UTTER /\ ~speaking
    /\ aiCh = <<>> /\ toAi = <<>> /\ wake = <<>> /\ ring = <<>> /\ far = <<>> /\ flushTo = 0 /\ reported
    /\ UNCHANGED vars

Next == SrvCreate \/ SrvDelta \/ SrvDone \/ SrvCancel \/ CallerStart \/ CallerStop
        \/ AiDeliver \/ WakeDeliver \/ MFlush \/ MEmit \/ MDrained \/ FarPlay \/ Finished

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ TM!TypeOK
    /\ active \in R \cup {0} /\ held \in {0, Greeting}
    /\ epoch \in 0..UTTER

\* GR1: a greeting that may not be interrupted is never cut off: no barge-in (flush, clear) and
\* no response.cancel while any of its audio is still to be heard.
GR1_GreetingNeverCut ==
    ~greetingCut

\* The greeting is over: its response is done (as JS knows it) and the caller heard all of it.
GreetingOver == held /= 0 /\ active /= held /\ heard[held] = writtenOf[held]

\* GR2: barge-in is on again right after the greeting: once it is over, handling speech_started
\* while agent audio (the reply queued behind it, say) is playing or queued cuts that audio.
GR2_BargeInAfterGreeting ==
    [][(aiCh /= <<>> /\ Head(aiCh).type = "speech_started" /\ aiCh' = Tail(aiCh) /\ GreetingOver /\ AgentAudible)
         => epoch' = epoch + 1]_vars

=============================================================================
