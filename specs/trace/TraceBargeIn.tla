---------------------------- MODULE TraceBargeIn ----------------------------
(***************************************************************************)
(* Trace validation against specs/BargeIn.tla: recorded calls (TraceData)  *)
(* are behaviours of the turn machine under BargeIn's own guard semantics  *)
(* (BargeIn!G; responses and items numbered as BargeIn numbers them), with *)
(* the context BargeIn's Turn keeps (epoch, chunks written, active and      *)
(* cancelled response, the mark), and at the trace's level of observation: *)
(*   BI1 — no frame of a response cut off (cancelled, or queued when a     *)
(*         barge-in bumped the epoch) leaves Parley after the cut, and no  *)
(*         delta of one is written;                                        *)
(*   BI2 — response.cancel only for the active response, once each;       *)
(*   BI3 — the truncate point never exceeds what was sent of the item;     *)
(*   BI6 — frames of agent audio leave only while the turn machine knows   *)
(*         the agent is speaking (agent.audio);                            *)
(*   PL3 — frames are of the current epoch.                                *)
(* BI4 (marks of a cleared epoch never move the played position) is the   *)
(* context check of MARK_ECHO steps; BI5 (no input clear) has nothing in a *)
(* trace to break it: the runtime has no such command.                     *)
(* Deterministic per trace (k), as TracePlayout explains.                  *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TraceData

VARIABLES k, l, verdict, why, tst, epoch, written, active, cancelled, markSet, seen, cut, cancels
vars == <<k, l, verdict, why, tst, epoch, written, active, cancelled, markSet, seen, cut, cancels>>
tracked == <<tst, epoch, written, active, cancelled, markSet, seen, cut, cancels>>

B == INSTANCE BargeIn WITH tst <- tst, epoch <- epoch, written <- written, active <- active,
       srvActive <- 0, srvNext <- 0, srvDeltas <- 0, srvHearing <- FALSE, srvInput <- 0,
       aiCh <- <<>>, toAi <- <<>>, speaking <- FALSE, utter <- 0, mark <- 0, seen <- seen,
       writtenOf <- 0, lastItem <- 0, pending <- 0, ring <- <<>>, flushTo <- 0, flushEp <- 0,
       consumed <- 0, delivered <- 0, racing <- 0, out <- <<>>, reported <- FALSE, wake <- <<>>,
       net <- <<>>, far <- <<>>, echo <- <<>>, heard <- 0, sentFr <- 0, cut <- cut, staleHeard <- FALSE,
       cancels <- 0, badCancel <- FALSE, truncBad <- FALSE, inputLost <- FALSE,
       RESPS <- 1, DELTAS <- 1, UTTER <- 1, LEAD <- 1, KIND <- "flushable-reports", RACE <- 1, NET <- FALSE, MUTANT <- "none"
G(name, e, p) == B!G(name, e, p)
TM == INSTANCE TurnMachine WITH state <- tst

Line == Traces[k][l]
Range(s) == {s[i] : i \in DOMAIN s}

Ev(x) == [type |-> x.e.type, responseId |-> x.e.responseId, itemId |-> x.e.itemId,
          epoch |-> x.e.epoch, written |-> x.e.written, ms |-> x.e.ms]
Runs(x, a) == TM!Runs(tst, Ev(x), G, a)
Effects1(x) == {a \in Range(TM!ActionsOf(tst, Ev(x), G)) : a \in Effects.turn}
Bump(x) == Runs(x, "bumpEpoch")
Cancel(x) == Runs(x, "cancelActiveResponse")
EpochAfter(x) == IF Bump(x) THEN (epoch + 1) % EpochModulus ELSE epoch
WrittenAfter(x) == IF Runs(x, "countChunk") THEN (written + 1) % SeqModulus ELSE written
ActiveAfter(x) == IF Runs(x, "activateResponse") THEN x.e.responseId
                  ELSE IF Runs(x, "clearActiveResponse") \/ Cancel(x) THEN 0 ELSE active
CancelledAfter(x) == IF Cancel(x) THEN active ELSE cancelled
MarkAfter(x) == IF Bump(x) THEN FALSE ELSE IF Runs(x, "recordMark") THEN TRUE ELSE markSet
\* The cut-off, as BargeIn's Turn records it: every response seen on a barge-in, the cancelled one.
CutAfter(x) == IF Bump(x) THEN cut \cup (1..seen) ELSE IF Cancel(x) /\ active /= 0 THEN cut \cup {active} ELSE cut
SeenAfter(x) == IF x.e.type = "RESPONSE_CREATED" /\ x.e.responseId > seen THEN x.e.responseId ELSE seen

CtxOk(x) ==
  /\ x.ctx.epoch = EpochAfter(x) /\ x.ctx.written = WrittenAfter(x)
  /\ x.ctx.active = ActiveAfter(x) /\ x.ctx.cancelled = CancelledAfter(x)
  /\ x.ctx.mark = MarkAfter(x)

Check(x) ==
  CASE x.k = "incomplete" -> "a machine step never completed"
    [] x.k = "step" /\ x.m = "turn" ->
         \* What the runtime did (its effects) against the properties, then against the machine.
         CASE "enqueueAudio" \in x.acts /\ x.e.responseId \in cut -> "BI1: a delta of a cut response was written"
           [] "sendCancel" \in x.acts /\ (active = 0 \/ active \in cancels) -> "BI2: cancel without an active response, or twice"
           [] "sendTruncate" \in x.acts /\ x.ctx.truncMs > x.e.sentMs -> "BI3: truncate beyond what was sent"
           [] x.from /= "" /\ x.from /= tst -> "machine: step from " \o x.from \o " in " \o tst
           [] x.to /= TM!Next(tst, Ev(x), G) -> "machine: " \o x.e.type \o " in " \o tst \o " leads to " \o TM!Next(tst, Ev(x), G) \o ", not " \o x.to
           [] x.acts /= Effects1(x) -> "machine: " \o x.e.type \o " in " \o tst \o " runs other actions"
           [] ~CtxOk(x) -> "machine: context differs after " \o x.e.type
           [] OTHER -> ""
    [] x.k = "frames" ->
         CASE \E i \in Range(x.items) : i \in cut -> "BI1: audio of a cut response played"
           [] (\E i \in Range(x.items) : i /= 0) /\ ~TM!HasTag(tst, "agent.audio") -> "BI6: agent audio played while the turn machine is in " \o tst
           [] x.ep % EpochModulus /= epoch -> "PL3: frames of a stale epoch"
           [] OTHER -> ""
    [] OTHER -> ""

Apply(x) ==
  IF x.k = "step" /\ x.m = "turn"
    THEN /\ tst' = x.to
         /\ epoch' = EpochAfter(x) /\ written' = WrittenAfter(x)
         /\ active' = ActiveAfter(x) /\ cancelled' = CancelledAfter(x)
         /\ markSet' = MarkAfter(x) /\ seen' = SeenAfter(x) /\ cut' = CutAfter(x)
         /\ cancels' = IF "sendCancel" \in x.acts THEN cancels \cup {active} ELSE cancels
    ELSE UNCHANGED tracked

TraceInit ==
  /\ k \in DOMAIN Traces /\ l = 1 /\ verdict = "running" /\ why = ""
  /\ tst = TM!Initial /\ epoch = 0 /\ written = 0 /\ active = 0 /\ cancelled = 0 /\ markSet = FALSE
  /\ seen = 0 /\ cut = {} /\ cancels = {}

TraceNext ==
  \/ /\ verdict = "running" /\ l > Len(Traces[k])
     /\ verdict' = "accepted" /\ UNCHANGED <<k, l, why>> /\ UNCHANGED tracked
  \/ /\ verdict = "running" /\ l <= Len(Traces[k])
     /\ IF Check(Line) = ""
          THEN Apply(Line) /\ l' = l + 1 /\ UNCHANGED <<k, verdict, why>>
          ELSE verdict' = "rejected" /\ why' = Check(Line) /\ UNCHANGED <<k, l>> /\ UNCHANGED tracked
  \/ verdict /= "running" /\ UNCHANGED vars

TraceAccepted == verdict /= "rejected"
=============================================================================
