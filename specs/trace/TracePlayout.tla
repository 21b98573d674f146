---------------------------- MODULE TracePlayout ----------------------------
(***************************************************************************)
(* Trace validation against specs/Playout.tla: recorded calls (TraceData,  *)
(* generated from NDJSON traces by src/tools/mbt/trace) are behaviours of the    *)
(* playout machine as Playout.tla composes it, and the media thread keeps  *)
(* Playout's promises at the trace's level of observation.                 *)
(*                                                                         *)
(* Each playout line must be the generated machine's step under Playout's  *)
(* own guard semantics (Playout!G): same configuration before and after,   *)
(* same effect actions, same context. The write index is the number of     *)
(* writes; a drain report is "caught up" when it names the write index     *)
(* (event field at), which the runtime computes as `caughtUp`. The media    *)
(* epoch is raised by each flush request. Media lines:                     *)
(*   frames  — only while the state word allows playout (media.playout),   *)
(*             only of the current epoch (PL3);                            *)
(*   flushed — only for a requested flush not yet acknowledged (PL2); the  *)
(*             media thread may execute an earlier request before a later *)
(*             one arrives, so acknowledgements come in epoch order.       *)
(* The call ends with the playout machine closed.                          *)
(*                                                                         *)
(* One behaviour per trace (k); deterministic: a line either matches and   *)
(* the cursor l moves on, or the trace is rejected with the reason. TLC    *)
(* reports a rejection as a violation of TraceAccepted.                    *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TraceData

VARIABLES k, l, verdict, why, pst, queued, w, mepoch, acked
vars == <<k, l, verdict, why, pst, queued, w, mepoch, acked>>

\* Playout.tla with our variables for the ones its guard semantics read.
P == INSTANCE Playout WITH pst <- pst, queued <- queued, w <- w, epoch <- mepoch,
       item <- 1, offered <- 0, refused <- 0, flushTo <- 0, freq <- 0, r <- 0, fack <- 0,
       inflight <- 0, staged <- <<>>, reported <- FALSE, delivered <- 0, toJs <- <<>>, slots <- 0,
       emitted <- 0, lastOut <- 0, barrier <- 0,
       CAP <- 1, OFFERS <- 1, EPOCHS <- 0, ITEMS <- 1, LOOKAHEAD <- Lookahead, CUSHION <- Cushion,
       FRAME <- 1, MUTANT <- "none"
\* The start rule as the code has it (machines/playout.ts): the lookahead queued and, beyond the
\* chunk just written, the far side's cushion (the call's own, in ms, from the trace).
G(name, e, p) == P!G(name, e, p)
PM == INSTANCE PlayoutMachine WITH state <- pst

Line == Traces[k][l]
Range(s) == {s[i] : i \in DOMAIN s}

\* The logged event as Playout.tla's events carry it.
Ev(x) == [type |-> x.e.type, buffered |-> x.e.buffered, chunk |-> x.e.chunk, at |-> IF x.e.caughtUp THEN w ELSE w + 1]
Runs(x, a) == PM!Runs(pst, Ev(x), G, a)
Effects1(x) == {a \in Range(PM!ActionsOf(pst, Ev(x), G)) : a \in Effects.playout}
QueuedAfter(x) == IF Runs(x, "noteQueuedDuringFlush") THEN TRUE
                  ELSE IF Runs(x, "clearQueuedDuringFlush") THEN FALSE ELSE queued

\* "" when line x is allowed here, else why not.
Check(x) ==
  CASE x.k = "incomplete" -> "a machine step never completed"
    [] x.k = "step" /\ x.m = "playout" ->
         CASE x.from /= "" /\ x.from /= pst -> "machine: step from " \o x.from \o " in " \o pst
           [] x.to /= PM!Next(pst, Ev(x), G) -> "machine: " \o x.e.type \o " in " \o pst \o " leads to " \o PM!Next(pst, Ev(x), G) \o ", not " \o x.to
           [] x.acts /= Effects1(x) -> "machine: " \o x.e.type \o " in " \o pst \o " runs other actions"
           [] x.ctx.queued /= QueuedAfter(x) -> "machine: queuedDuringFlush differs"
           [] OTHER -> ""
    [] x.k = "frames" ->
         CASE ~PM!HasTag(pst, "media.playout") -> "SE1/PL: frames sent while the playout machine is in " \o pst
           [] x.ep /= mepoch -> "PL3: frames of a stale epoch"
           [] OTHER -> ""
    [] x.k = "flushed" ->
         CASE x.ep <= acked \/ x.ep > mepoch -> "PL2: a flush executed that was not requested (or twice)"
           [] OTHER -> ""
    [] x.k = "end" /\ pst /= "closed" -> "the call ended with the playout machine in " \o pst
    [] OTHER -> ""

Apply(x) ==
  IF x.k = "step" /\ x.m = "playout"
    THEN /\ pst' = x.to
         /\ queued' = QueuedAfter(x)
         /\ w' = IF x.e.type = "WRITE" THEN w + 1 ELSE w
         /\ mepoch' = IF Runs(x, "requestFlush") THEN mepoch + 1 ELSE mepoch
         /\ UNCHANGED acked
    ELSE /\ acked' = IF x.k = "flushed" THEN x.ep ELSE acked
         /\ UNCHANGED <<pst, queued, w, mepoch>>

TraceInit ==
  /\ k \in DOMAIN Traces /\ l = 1 /\ verdict = "running" /\ why = ""
  /\ pst = PM!Initial /\ queued = FALSE /\ w = 0 /\ mepoch = 0 /\ acked = 0

TraceNext ==
  \/ /\ verdict = "running" /\ l > Len(Traces[k])
     /\ verdict' = "accepted" /\ UNCHANGED <<k, l, why, pst, queued, w, mepoch, acked>>
  \/ /\ verdict = "running" /\ l <= Len(Traces[k])
     /\ IF Check(Line) = ""
          THEN Apply(Line) /\ l' = l + 1 /\ UNCHANGED <<k, verdict, why>>
          ELSE verdict' = "rejected" /\ why' = Check(Line) /\ UNCHANGED <<k, l, pst, queued, w, mepoch, acked>>
  \/ verdict /= "running" /\ UNCHANGED vars

\* The recorded trace is a behaviour of the spec: no line was rejected.
TraceAccepted == verdict /= "rejected"
=============================================================================
