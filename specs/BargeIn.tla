------------------------------- MODULE BargeIn -------------------------------
(***************************************************************************)
(* Barge-in against in-flight responses (docs/ARCHITECTURE.md#barge-in;  *)
(* specs/PROPERTIES.md BI1–BI6).                                           *)
(*                                                                         *)
(* AI provider: creates responses one at a time, streams their audio       *)
(* deltas and response.done over one TCP stream (aiCh), in order with the  *)
(* server-VAD events speech_started / speech_stopped it derives from the   *)
(* caller audio it receives. It handles our messages (toAi) in order: a    *)
(* cancel stops an active response (its deltas already in aiCh still       *)
(* arrive), caller audio fills its input buffer.                           *)
(*                                                                         *)
(* JS thread: drives the generated turn machine with the provider's events,*)
(* the media thread's reports and Twilio's mark echoes, and performs its   *)
(* actions: write accepted chunks to the playout ring tagged (epoch, seq), *)
(* bump the epoch and request a flush-to-index, send clear to Twilio,      *)
(* cancel, truncate. On speech_started it first reads the core's counters  *)
(* (the event payload), then handles the event: the media thread may emit *)
(* one frame in between. It sends the frames the media thread produced to  *)
(* Twilio, dropping those of an older epoch, each followed by a mark.      *)
(*                                                                         *)
(* Media thread (Playout, abstracted): per tick executes a pending flush   *)
(* on its side (dropping chunks up to the requested index) and reports it,*)
(* or takes one chunk, emits it when its epoch is current (PL3) and counts *)
(* it delivered; output leads playback by at most LEAD frames. A drain      *)
(* detector reports PLAYOUT_DRAINED with the seq of the last chunk consumed*)
(* once ring, outbound queue and the far side's buffer are empty.          *)
(*                                                                         *)
(* Twilio (far side): plays buffered frames in order, echoes each mark     *)
(* when reached; on clear drops unplayed frames and echoes every pending   *)
(* mark at once. Echoes reach JS late (echo queue).                        *)
(*                                                                         *)
(* The far side is one of three kinds (KIND; src/telephony/platform.ts):   *)
(*  "flushable-reports" (Twilio, Telnyx, Plivo, …): clear drops the queue, *)
(*     marks report played positions, truncate from the last mark;         *)
(*  "flushable-model" (mod_audio_stream): clear drops the queue, no marks, *)
(*     truncate from the core's delivered count;                           *)
(*  "unflushable" (AudioSocket): nothing is sent on barge-in and           *)
(*     nothing can be recalled; output leads playback by at most LEAD      *)
(*     frames, so at most LEAD frames of a cut response are heard after    *)
(*     the cut, and truncate = delivered - LEAD (heard = delivered - lead).*)
(*                                                                         *)
(* Responses have one audio item each; item ids are response ids.          *)
(* MUTANT re-introduces one original bug (specs/mutants/BargeIn_*.cfg).     *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    RESPS,      \* responses the provider produces over the call
    DELTAS,     \* audio deltas per response
    UTTER,      \* caller utterances
    LEAD,       \* frames output may lead playback by (unflushable: the promised bound)
    KIND,       \* the far side's kind (see above)
    RACE,       \* frames the media thread may emit while JS holds a speech_started payload
    NET,        \* TRUE: a queue between Parley and Twilio (a clear arrives after it is sent)
    MUTANT      \* "none", or the bug to re-introduce

ASSUME RESPS >= 1 /\ DELTAS >= 1 /\ UTTER >= 1 /\ LEAD >= 1 /\ RACE >= 1 /\ NET \in BOOLEAN
ASSUME KIND \in {"flushable-reports", "flushable-model", "unflushable"}
ASSUME MUTANT \in {"none", "no_cancelled_filter", "cancel_every_speech", "truncate_at_sent",
                   "count_every_mark", "clear_input_on_barge_in", "drained_on_response_done",
                   "unpaced_lead"}

\* Truncate position source: reported marks, or the count the core delivered.
POSITION == IF KIND = "flushable-reports" THEN "marks" ELSE "delivered"
\* Whether a barge-in sends the far side a clear (an unflushable one has none).
Flushable == KIND /= "unflushable"
\* The lead the media thread keeps; the bug: an unflushable far side handed several frames
\* more than the one-frame-plus-margin pacing promises.
EffLead == IF MUTANT = "unpaced_lead" THEN LEAD + 2 ELSE LEAD

R == 1..RESPS
NoPending == [item |-> 0, delivered |-> 0, sent |-> 0]
NoMark == [it |-> 0, pos |-> 0]
Max(a, b) == IF a >= b THEN a ELSE b

VARIABLES
    \* AI provider
    srvActive,  \* response being generated, or 0
    srvNext,    \* next response id
    srvDeltas,  \* [R -> deltas sent]
    srvHearing, \* server VAD: caller speech in progress
    srvInput,   \* caller frames in the provider's input buffer
    aiCh,       \* provider -> JS messages, in TCP order
    toAi,       \* JS -> provider messages, in TCP order
    \* caller
    speaking,   \* the caller is talking
    utter,      \* utterances started
    \* JS thread: the machine and its context
    tst,        \* turn configuration
    epoch,      \* context.epoch = the epoch word the media thread reads
    written,    \* context.written: chunks written so far (their seq)
    active,     \* context.activeResponse, or 0
    mark,       \* context.mark: last mark of the current epoch
    seen,       \* highest response id JS saw created
    writtenOf,  \* [R -> chunks of that item written] (the payload's sentMs)
    lastItem,   \* item of the last chunk written, or 0
    pending,    \* speech_started payload read, event not yet handled, or NoPending
    \* media thread and the playout path
    ring,       \* chunks written, not yet consumed: [ep, r, seq]
    flushTo,    \* pending flush request: the seq to flush to, or 0 for none
    flushEp,    \* the epoch that flush belongs to
    consumed,   \* seq of the last chunk consumed (emitted, dropped stale, or flushed)
    delivered,  \* [R -> frames the core emitted of that item]
    racing,     \* frames emitted while a speech_started payload is pending
    out,        \* frames emitted, not yet sent by JS: [ep, r]
    reported,   \* the drain detector reported since the last change
    wake,       \* media -> JS reports
    \* Twilio
    net,        \* (NET) Parley -> Twilio messages in flight: [kind, ep, r, pos, cs]
    far,        \* buffered at the far side: [kind |-> "frame"|"mark", ep, r, pos]
    echo,       \* marks echoed, not yet handled by JS: [ep, r, pos]
    heard,      \* [R -> frames of that item the caller heard]
    sentFr,     \* [R -> frames of that item sent to Twilio]
    \* history
    cut,        \* responses whose audio a barge-in or cancel cut off
    staleHeard, \* frames of cut responses the caller heard after their cut
    cancels,    \* [R -> response.cancel sent for it]
    badCancel,  \* a cancel was sent with no active response
    truncBad,   \* a truncate point out of bounds
    inputLost   \* the provider's input buffer was cleared with caller speech in it

vars == <<srvActive, srvNext, srvDeltas, srvHearing, srvInput, aiCh, toAi, speaking, utter,
          tst, epoch, written, active, mark, seen, writtenOf, lastItem, pending,
          ring, flushTo, flushEp, consumed, delivered, racing, out, reported, wake,
          net, far, echo, heard, sentFr, cut, staleHeard, cancels, badCancel, truncBad, inputLost>>
srvVars == <<srvActive, srvNext, srvDeltas, srvHearing, srvInput>>
jsCtx == <<tst, epoch, written, active, mark, seen, writtenOf, lastItem, pending>>
mediaVars == <<ring, flushTo, flushEp, consumed, delivered, racing, out, reported, wake>>
farVars == <<net, far, echo, heard, sentFr>>
histVars == <<cut, staleHeard, cancels, badCancel, truncBad, inputLost>>

(***************************************************************************)
(* The generated machine, with the meaning of its guards.                  *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "bargeInEnabled"    -> TRUE
      \* no held greeting in this model (specs/Greeting.tla has one)
      [] name = "greetingHeard"     -> TRUE
      [] name = "hasActiveResponse" -> active /= 0
      [] name = "isActiveResponse"  ->
            \/ MUTANT = "no_cancelled_filter" /\ e.type = "AUDIO_DELTA"
            \/ active /= 0 /\ e.responseId = active
      [] name = "isCurrentEpoch"    ->
            \/ MUTANT = "count_every_mark" /\ e.type = "MARK_ECHO"
            \/ e.epoch = epoch
      [] name = "isDrainedAll"      -> e.epoch = epoch /\ e.written = written

TM == INSTANCE TurnMachine WITH state <- tst
\* Every machine name written by hand below exists in TurnMachine (a rename breaks the spec).
ASSUME TM!KnownTags({"agent.audio"})
    /\ TM!KnownEvents({"AUDIO_DELTA", "MARK_ECHO", "MEDIA_FLUSHED", "PLAYOUT_DRAINED", "RESPONSE_CREATED", "RESPONSE_DONE", "SPEECH_STARTED", "SPEECH_STOPPED"})
    /\ TM!KnownActions({"activateResponse", "bumpEpoch", "cancelActiveResponse", "clearActiveResponse", "enqueueAudio", "recordMark", "requestFlush", "sendCancel", "sendClear", "sendTruncate"})
    /\ TM!KnownGuards({"bargeInEnabled", "greetingHeard", "hasActiveResponse", "isActiveResponse", "isCurrentEpoch", "isDrainedAll"})


Runs(e, a) == TM!Runs(tst, e, G, a)

FarFrames == {i \in 1..Len(far) : far[i].kind = "frame"}
NetFrames == {i \in 1..Len(net) : net[i].kind = "frame"}
MarksIn(s) == SelectSeq(s, LAMBDA x : x.kind = "mark")

\* Ground truth: agent audio of the current epoch is queued, being sent, or buffered to play.
\* (With NET, frames of an older epoch still travel to Twilio until the clear arrives: audio
\* the barge-in already cut, not audio the turn machine has to know about.)
AgentAudible ==
    \/ \E i \in 1..Len(ring) : ring[i].ep = epoch
    \/ \E i \in 1..Len(out) : out[i].ep = epoch
    \/ \E i \in FarFrames : far[i].ep = epoch
    \/ \E i \in NetFrames : net[i].ep = epoch

\* The truncate point decided at barge-in (machines/truncate.ts), or the bug: "what was sent".
\* Unflushable: the far-side model's heard = delivered - lead (UnflushableFarSide).
TruncMs(item, pl) ==
    LET heardPos == IF POSITION = "marks"
                      THEN (IF mark.it = item THEN mark.pos ELSE 0)
                      ELSE IF KIND = "unflushable"
                      THEN (IF pl.delivered > LEAD THEN pl.delivered - LEAD ELSE 0)
                      ELSE pl.delivered
    IN IF MUTANT = "truncate_at_sent" THEN pl.sent
       ELSE IF heardPos > pl.sent THEN pl.sent ELSE heardPos

\* The send path to the provider (src/session/call.ts, src/ai/**): the AiClient call each
\* turn-machine action makes, and the wire event that call sends. sendCancel and sendTruncate
\* carry payloads and are built in Turn; every other action's call goes out as OtherCalls.
\* test/ai/noInputClear.test.ts holds this table to the adapters: no command builder and no
\* client-side send in src/ emits input_audio_buffer.clear.
AiCallOf(a) ==
    CASE a = "sendCancel"   -> "cancelResponse"
      [] a = "sendTruncate" -> "truncate"
      \* the bug: Twilio's clear taken for "clear everything", the provider's input buffer too
      [] a = "sendClear" /\ MUTANT = "clear_input_on_barge_in" -> "clearInput"
      [] OTHER -> "none"
WireOf(call) ==
    CASE call = "cancelResponse" -> "response.cancel"
      [] call = "truncate"       -> "conversation.item.truncate"
      [] call = "clearInput"     -> "input_audio_buffer.clear"
ASSUME \A a \in TM!ActionNames : AiCallOf(a) \in {"none", "cancelResponse", "truncate", "clearInput"}
OtherCalls(acts) ==
    LET calls == SelectSeq(acts, LAMBDA a : a \notin {"sendCancel", "sendTruncate"} /\ AiCallOf(a) /= "none")
    IN [i \in 1..Len(calls) |-> [type |-> WireOf(AiCallOf(calls[i])), r |-> 0]]

Strip(m) == [kind |-> m.kind, ep |-> m.ep, r |-> m.r, pos |-> m.pos]
\* Twilio's clear: every pending mark of buffer b echoed at once.
Echoes(b) == [i \in 1..Len(MarksIn(b)) |->
                [ep |-> MarksIn(b)[i].ep, r |-> MarksIn(b)[i].r, pos |-> MarksIn(b)[i].pos]]

\* JS handles turn event e: the machine's step and the effects its actions name (except the
\* variables the calling action sets itself, passed in as their base values).
Turn(e, ringB, aiChB, echoB) ==
    LET bump    == Runs(e, "bumpEpoch")
        newEp   == IF bump THEN epoch + 1 ELSE epoch
        write   == Runs(e, "enqueueAudio")
        cancel  == IF MUTANT = "cancel_every_speech"
                     THEN e.type = "SPEECH_STARTED" ELSE Runs(e, "sendCancel")
        trunc   == Runs(e, "sendTruncate") /\ e.type = "SPEECH_STARTED" /\ e.itemId /= 0
        clear   == Runs(e, "sendClear") /\ Flushable
        ms      == IF trunc THEN TruncMs(e.itemId, e.payload) ELSE 0
    IN
    /\ tst' = TM!Next(tst, e, G)
    /\ epoch' = newEp
    /\ written' = IF write THEN written + 1 ELSE written
    /\ active' = IF Runs(e, "activateResponse") THEN e.responseId
                 ELSE IF Runs(e, "clearActiveResponse") \/ Runs(e, "cancelActiveResponse") THEN 0
                 ELSE active
    /\ mark' = IF bump THEN NoMark
               ELSE IF Runs(e, "recordMark") THEN [it |-> e.itemId, pos |-> e.ms] ELSE mark
    /\ seen' = IF e.type = "RESPONSE_CREATED" THEN Max(seen, e.responseId) ELSE seen
    /\ writtenOf' = IF write THEN [writtenOf EXCEPT ![e.responseId] = @ + 1] ELSE writtenOf
    /\ lastItem' = IF write THEN e.responseId ELSE lastItem
    /\ ring' = IF write THEN Append(ringB, [ep |-> epoch, r |-> e.responseId, seq |-> written + 1])
               ELSE ringB
    /\ IF Runs(e, "requestFlush")
         THEN flushTo' = written /\ flushEp' = newEp
         ELSE UNCHANGED <<flushTo, flushEp>>
    \* clear: Twilio drops what it has not played and echoes every pending mark at once; with
    \* NET the clear is queued behind what was sent before it (FarRecv), the cut-off with it
    /\ far' = IF clear /\ ~NET THEN <<>> ELSE far
    /\ echo' = IF clear /\ ~NET THEN echoB \o Echoes(far) ELSE echoB
    /\ net' = IF clear /\ NET
                THEN Append(net, [kind |-> "clear", ep |-> 0, r |-> 0, pos |-> 0,
                                  cs |-> IF bump THEN 1..seen ELSE {}])
                ELSE net
    /\ toAi' = toAi
               \o (IF cancel THEN <<[type |-> "cancel", r |-> active]>> ELSE <<>>)
               \o (IF trunc THEN <<[type |-> "truncate", r |-> e.itemId, ms |-> ms]>> ELSE <<>>)
               \o OtherCalls(TM!ActionsOf(tst, e, G))
    /\ cancels' = IF cancel /\ active /= 0 THEN [cancels EXCEPT ![active] = @ + 1] ELSE cancels
    /\ badCancel' = (badCancel \/ (cancel /\ active = 0))
    \* the cut-off: every response seen so far on barge-in (with NET: where the clear reaches
    \* Twilio, FarRecv), the cancelled one on a cancel
    /\ cut' = IF bump THEN (IF NET /\ clear THEN cut ELSE cut \cup (1..seen))
              ELSE IF cancel /\ active /= 0 THEN cut \cup {active} ELSE cut
    /\ truncBad' = (truncBad \/
                     (trunc /\ \/ ms > writtenOf[e.itemId]
                               \/ ms > delivered[e.itemId]
                               \/ (KIND = "flushable-model" /\ delivered[e.itemId] > ms + 1)
                               \* unflushable: never past what the caller heard, within the lead of it
                               \/ (KIND = "unflushable" /\ \/ ms > heard[e.itemId]
                                                           \/ delivered[e.itemId] > ms + LEAD + 1)))
    /\ reported' = IF write THEN FALSE ELSE reported
    /\ aiCh' = aiChB

(***************************************************************************)
(* AI provider                                                             *)
(***************************************************************************)
SrvCreate ==
    /\ srvActive = 0 /\ srvNext <= RESPS /\ ~srvHearing
    /\ srvActive' = srvNext /\ srvNext' = srvNext + 1
    /\ aiCh' = Append(aiCh, [type |-> "created", r |-> srvNext])
    /\ UNCHANGED <<srvDeltas, srvHearing, srvInput, toAi, speaking, utter>>
    /\ UNCHANGED <<jsCtx, mediaVars, farVars, histVars>>

SrvDelta ==
    /\ srvActive /= 0 /\ srvDeltas[srvActive] < DELTAS
    /\ srvDeltas' = [srvDeltas EXCEPT ![srvActive] = @ + 1]
    /\ aiCh' = Append(aiCh, [type |-> "delta", r |-> srvActive])
    /\ UNCHANGED <<srvActive, srvNext, srvHearing, srvInput, toAi, speaking, utter>>
    /\ UNCHANGED <<jsCtx, mediaVars, farVars, histVars>>

SrvDone ==
    /\ srvActive /= 0 /\ srvDeltas[srvActive] = DELTAS
    /\ srvActive' = 0
    /\ aiCh' = Append(aiCh, [type |-> "done", r |-> srvActive])
    /\ UNCHANGED <<srvNext, srvDeltas, srvHearing, srvInput, toAi, speaking, utter>>
    /\ UNCHANGED <<jsCtx, mediaVars, farVars, histVars>>

\* The provider handles our oldest message.
SrvRecv ==
    /\ toAi /= <<>>
    /\ LET m == Head(toAi) IN
       CASE m.type = "cancel" /\ m.r = srvActive ->
              /\ srvActive' = 0
              /\ aiCh' = Append(aiCh, [type |-> "done", r |-> m.r])
              /\ UNCHANGED <<srvHearing, srvInput, inputLost>>
         [] m.type = "audio" ->
              /\ srvInput' = srvInput + 1
              /\ IF srvHearing THEN UNCHANGED <<srvHearing, aiCh>>
                 ELSE /\ srvHearing' = TRUE
                      /\ aiCh' = Append(aiCh, [type |-> "speech_started", r |-> 0])
              /\ UNCHANGED <<srvActive, inputLost>>
         [] m.type = "silence" ->
              /\ srvHearing' = FALSE
              /\ aiCh' = Append(aiCh, [type |-> "speech_stopped", r |-> 0])
              /\ UNCHANGED <<srvActive, srvInput, inputLost>>
         [] m.type = "input_audio_buffer.clear" ->
              /\ srvInput' = 0
              /\ inputLost' = (inputLost \/ srvInput > 0)
              /\ UNCHANGED <<srvActive, srvHearing, aiCh>>
         [] OTHER ->          \* truncate; a cancel of a finished response (provider error)
              UNCHANGED <<srvActive, srvHearing, srvInput, aiCh, inputLost>>
    /\ toAi' = Tail(toAi)
    /\ UNCHANGED <<srvNext, srvDeltas, speaking, utter>>
    /\ UNCHANGED <<jsCtx, mediaVars, farVars, cut, staleHeard, cancels, badCancel, truncBad>>

SrvNext == SrvCreate \/ SrvDelta \/ SrvDone \/ SrvRecv

(***************************************************************************)
(* Caller (its audio goes through JS to the provider, never cleared)       *)
(***************************************************************************)
CallerStart ==
    /\ ~speaking /\ utter < UTTER
    /\ speaking' = TRUE /\ utter' = utter + 1
    /\ toAi' = Append(toAi, [type |-> "audio", r |-> 0])
    /\ UNCHANGED <<srvVars, aiCh, jsCtx, mediaVars, farVars, histVars>>

CallerStop ==
    /\ speaking
    /\ speaking' = FALSE
    /\ toAi' = Append(toAi, [type |-> "silence", r |-> 0])
    /\ UNCHANGED <<srvVars, aiCh, utter, jsCtx, mediaVars, farVars, histVars>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
JsIdle == pending = NoPending

\* The provider's oldest message. speech_started is handled in two steps (AiSpeech).
AiDeliver ==
    /\ JsIdle /\ aiCh /= <<>>
    /\ LET m == Head(aiCh) IN
       CASE m.type = "created" ->
              /\ Turn([type |-> "RESPONSE_CREATED", responseId |-> m.r], ring, Tail(aiCh), echo)
              /\ UNCHANGED <<pending, racing, wake, heard, sentFr, staleHeard, inputLost>>
         [] m.type = "delta" ->
              /\ Turn([type |-> "AUDIO_DELTA", responseId |-> m.r, itemId |-> m.r], ring, Tail(aiCh), echo)
              /\ UNCHANGED <<pending, racing, wake, heard, sentFr, staleHeard, inputLost>>
         [] m.type = "done" /\ MUTANT = "drained_on_response_done" ->
              \* the bug (docs/reference/original-engine.md#engine-states): "response complete" taken for "agent silent"
              LET e == [type |-> "PLAYOUT_DRAINED", epoch |-> epoch, written |-> written] IN
              /\ active' = IF active = m.r THEN 0 ELSE active
              /\ tst' = TM!Next(TM!Next(tst, [type |-> "RESPONSE_DONE", responseId |-> m.r], G), e, G)
              /\ aiCh' = Tail(aiCh)
              /\ UNCHANGED <<epoch, written, mark, seen, writtenOf, lastItem, pending, toAi,
                             mediaVars, farVars, histVars>>
         [] m.type = "done" ->
              /\ Turn([type |-> "RESPONSE_DONE", responseId |-> m.r], ring, Tail(aiCh), echo)
              /\ UNCHANGED <<pending, racing, wake, heard, sentFr, staleHeard, inputLost>>
         [] m.type = "speech_started" ->
              \* read the core's counters for the payload; the event is handled next (AiSpeech)
              /\ pending' = [item |-> lastItem,
                             delivered |-> IF lastItem = 0 THEN 0 ELSE delivered[lastItem],
                             sent |-> IF lastItem = 0 THEN 0 ELSE writtenOf[lastItem]]
              /\ racing' = 0
              /\ aiCh' = Tail(aiCh)
              /\ UNCHANGED <<tst, epoch, written, active, mark, seen, writtenOf, lastItem, toAi,
                             ring, flushTo, flushEp, consumed, delivered, out, reported, wake,
                             farVars, histVars>>
         [] OTHER ->          \* speech_stopped
              /\ Turn([type |-> "SPEECH_STOPPED"], ring, Tail(aiCh), echo)
              /\ UNCHANGED <<pending, racing, wake, heard, sentFr, staleHeard, inputLost>>
    /\ UNCHANGED <<srvVars, speaking, utter, consumed, delivered, out>>

\* speech_started with the payload read before.
AiSpeech ==
    /\ ~JsIdle
    /\ Turn([type |-> "SPEECH_STARTED", itemId |-> pending.item, payload |-> pending], ring, aiCh, echo)
    /\ pending' = NoPending
    /\ UNCHANGED <<srvVars, speaking, utter, consumed, delivered, racing, out, wake, heard, sentFr,
                   staleHeard, inputLost>>

\* The media thread's oldest report.
WakeDeliver ==
    /\ JsIdle /\ wake /= <<>>
    /\ Turn(Head(wake), ring, aiCh, echo)
    /\ wake' = Tail(wake)
    /\ UNCHANGED <<srvVars, speaking, utter, pending, consumed, delivered, racing, out, heard,
                   sentFr, staleHeard, inputLost>>

\* Twilio's oldest mark echo.
EchoDeliver ==
    /\ JsIdle /\ echo /= <<>>
    /\ LET m == Head(echo) IN
       Turn([type |-> "MARK_ECHO", epoch |-> m.ep, itemId |-> m.r, ms |-> m.pos], ring, aiCh,
            Tail(echo))
    /\ UNCHANGED <<srvVars, speaking, utter, pending, consumed, delivered, racing, out, wake, heard,
                   sentFr, staleHeard, inputLost>>

\* Send the oldest emitted frame to Twilio (dropped if a barge-in made it stale), then a mark.
SendOut ==
    /\ JsIdle /\ out /= <<>>
    /\ LET f == Head(out) IN
       IF f.ep = epoch
         THEN LET msgs == <<[kind |-> "frame", ep |-> f.ep, r |-> f.r, pos |-> 0, cs |-> {}]>>
                          \o (IF POSITION = "marks"
                                THEN <<[kind |-> "mark", ep |-> f.ep, r |-> f.r, pos |-> sentFr[f.r] + 1,
                                        cs |-> {}]>>
                                ELSE <<>>) IN
              /\ IF NET THEN net' = net \o msgs /\ UNCHANGED far
                 ELSE far' = far \o [i \in 1..Len(msgs) |-> Strip(msgs[i])] /\ UNCHANGED net
              /\ sentFr' = [sentFr EXCEPT ![f.r] = @ + 1]
         ELSE UNCHANGED <<net, far, sentFr>>
    /\ out' = Tail(out)
    /\ UNCHANGED <<srvVars, aiCh, toAi, speaking, utter, jsCtx, ring, flushTo, flushEp, consumed,
                   delivered, racing, reported, wake, echo, heard, histVars>>

JSNext == AiDeliver \/ AiSpeech \/ WakeDeliver \/ EchoDeliver \/ SendOut \/ CallerStart \/ CallerStop

(***************************************************************************)
(* Media thread                                                            *)
(***************************************************************************)
MediaRest == <<srvVars, aiCh, toAi, speaking, utter, jsCtx, farVars, histVars>>

\* Start of a tick: execute the pending flush (to the index it names) and report it.
MFlush ==
    /\ flushTo /= 0
    /\ ring' = SelectSeq(ring, LAMBDA c : c.seq > flushTo)
    /\ consumed' = Max(consumed, flushTo)
    /\ wake' = Append(wake, [type |-> "MEDIA_FLUSHED", epoch |-> flushEp])
    /\ flushTo' = 0
    /\ reported' = FALSE
    /\ UNCHANGED <<flushEp, delivered, racing, out, MediaRest>>

\* Take one chunk: emit it when its epoch is current, else drop it. Output leads playback
\* by at most LEAD frames; at most RACE frames are emitted while JS is between reading the
\* speech_started payload and handling it (a tick emits up to lead_max_ frames after one read
\* of the state word, and JS may be late).
MEmit ==
    /\ flushTo = 0 /\ ring /= <<>>
    /\ Len(out) + Cardinality(FarFrames) + Cardinality(NetFrames) < EffLead
    /\ pending /= NoPending => racing < RACE
    /\ LET c == Head(ring) IN
       /\ consumed' = c.seq
       /\ IF c.ep = epoch
            THEN /\ delivered' = [delivered EXCEPT ![c.r] = @ + 1]
                 /\ out' = Append(out, [ep |-> c.ep, r |-> c.r])
                 /\ racing' = IF pending /= NoPending THEN racing + 1 ELSE racing
            ELSE UNCHANGED <<delivered, out, racing>>
    /\ ring' = Tail(ring)
    /\ reported' = FALSE
    /\ UNCHANGED <<flushTo, flushEp, wake, MediaRest>>

\* Ring, outbound queue and far side all empty: report where playout stopped, once.
MDrained ==
    /\ flushTo = 0 /\ ring = <<>> /\ out = <<>> /\ FarFrames = {} /\ NetFrames = {}
    /\ ~reported
    /\ reported' = TRUE
    /\ wake' = Append(wake, [type |-> "PLAYOUT_DRAINED", epoch |-> epoch, written |-> consumed])
    /\ UNCHANGED <<ring, flushTo, flushEp, consumed, delivered, racing, out, MediaRest>>

MediaNext == MFlush \/ MEmit \/ MDrained

(***************************************************************************)
(* Twilio: play the next buffered frame, or echo the next mark              *)
(***************************************************************************)
FarPlay ==
    /\ far /= <<>>
    /\ LET x == Head(far) IN
       IF x.kind = "frame"
         THEN /\ heard' = [heard EXCEPT ![x.r] = @ + 1]
              /\ staleHeard' = staleHeard + (IF x.r \in cut THEN 1 ELSE 0)
              /\ UNCHANGED echo
         ELSE /\ echo' = Append(echo, [ep |-> x.ep, r |-> x.r, pos |-> x.pos])
              /\ UNCHANGED <<heard, staleHeard>>
    /\ far' = Tail(far)
    /\ UNCHANGED <<srvVars, aiCh, toAi, speaking, utter, jsCtx, mediaVars, net, sentFr, cut, cancels,
                   badCancel, truncBad, inputLost>>

\* (NET) Twilio takes Parley's oldest message: a frame or mark is buffered; a clear drops what
\* is buffered, echoes its marks, and is the cut-off of the responses the barge-in cut.
FarRecv ==
    /\ NET /\ net /= <<>>
    /\ LET m == Head(net) IN
       IF m.kind = "clear"
         THEN /\ far' = <<>>
              /\ echo' = echo \o Echoes(far)
              /\ cut' = cut \cup m.cs
         ELSE /\ far' = Append(far, Strip(m))
              /\ UNCHANGED <<echo, cut>>
    /\ net' = Tail(net)
    /\ UNCHANGED <<srvVars, aiCh, toAi, speaking, utter, jsCtx, mediaVars, heard, sentFr,
                   staleHeard, cancels, badCancel, truncBad, inputLost>>

(***************************************************************************)
(* Specification                                                           *)
(***************************************************************************)
Init ==
    /\ srvActive = 0 /\ srvNext = 1 /\ srvDeltas = [r \in R |-> 0]
    /\ srvHearing = FALSE /\ srvInput = 0 /\ aiCh = <<>> /\ toAi = <<>>
    /\ speaking = FALSE /\ utter = 0
    /\ TM!Init
    /\ epoch = 0 /\ written = 0 /\ active = 0 /\ mark = NoMark /\ seen = 0
    /\ writtenOf = [r \in R |-> 0] /\ lastItem = 0 /\ pending = NoPending
    /\ ring = <<>> /\ flushTo = 0 /\ flushEp = 0 /\ consumed = 0
    /\ delivered = [r \in R |-> 0] /\ racing = 0 /\ out = <<>> /\ reported = FALSE /\ wake = <<>>
    /\ net = <<>> /\ far = <<>> /\ echo = <<>> /\ heard = [r \in R |-> 0] /\ sentFr = [r \in R |-> 0]
    /\ cut = {} /\ staleHeard = 0 /\ cancels = [r \in R |-> 0]
    /\ badCancel = FALSE /\ truncBad = FALSE /\ inputLost = FALSE

\* The conversation is over and everything is quiet: the only state with no successor.
Finished ==
    /\ srvNext > RESPS /\ srvActive = 0 /\ utter = UTTER /\ ~speaking
    /\ aiCh = <<>> /\ toAi = <<>> /\ wake = <<>> /\ echo = <<>> /\ pending = NoPending
    /\ ring = <<>> /\ out = <<>> /\ net = <<>> /\ far = <<>> /\ flushTo = 0 /\ reported
    /\ UNCHANGED vars

Next == SrvNext \/ CallerStart \/ CallerStop \/ JSNext \/ MediaNext \/ FarPlay \/ FarRecv \/ Finished

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ TM!TypeOK
    /\ epoch \in 0..UTTER /\ written \in 0..(RESPS * DELTAS)
    /\ active \in R \cup {0}

\* BI1: no audio of a cancelled (or cut) response is heard after the barge-in cut-off (with
\* NET: after the clear reached Twilio; what plays while it travels cannot be recalled),
\* including deltas that arrive after speech_started and before the cancel is acknowledged.
\* Unflushable: the cut-off is the barge-in itself and what was handed over still plays — at
\* most the lead (LEAD frames) per barge-in, none later.
BI1_NoCancelledAudio ==
    IF Flushable THEN staleHeard = 0 ELSE staleHeard <= LEAD * epoch

\* BI2: response.cancel is sent only while a response is active, at most once per response.
BI2_CancelOnlyActiveOnce ==
    ~badCancel /\ \A r \in R : cancels[r] <= 1

\* BI3: the truncate point never exceeds what was sent (nor what was delivered), and with the
\* delivered count as the source is within one frame of what was delivered at the cut-off;
\* unflushable: never past what the caller had heard, and within the lead (plus a frame) of
\* what was delivered.
BI3_TruncateBounded ==
    ~truncBad

\* BI4: Twilio marks echoed after a clear never advance the played position beyond what the
\* caller heard.
BI4_MarksNeverOvershoot ==
    mark = NoMark \/ mark.pos <= heard[mark.it]

\* BI5: barge-in never discards the caller's own speech: no command JS sends for any action of
\* the turn machine (through the send path AiCallOf/WireOf) clears the provider's input buffer
\* while caller audio is in it.
BI5_CallerSpeechKept ==
    ~inputLost

\* BI6: if agent audio is playing or queued, the turn machine knows it (agent.audio), so a
\* speech start then is a barge-in ...
BI6_AudibleIsKnown ==
    AgentAudible => TM!HasTag(tst, "agent.audio")
\* ... and handling speech_started while agent audio is playing or queued cuts it.
BI6_NoLostInterruption ==
    [][(pending /= NoPending /\ pending' = NoPending /\ AgentAudible) => epoch' = epoch + 1]_vars

=============================================================================
