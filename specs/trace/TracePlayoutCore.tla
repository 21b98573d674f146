-------------------------- MODULE TracePlayoutCore --------------------------
(***************************************************************************)
(* Refinement check of the media core against specs/Playout.tla, below the *)
(* machine table: the records the core writes in trace mode (Call::       *)
(* set_trace, native/src/core/engine/event.h kTrace*; CoreTraces generated *)
(* by src/tools/mbt/trace/core.ts) must be, record by record, steps of     *)
(* Playout's actions or stutters:                                          *)
(*   tick    — the media thread's view at a tick's start: JS steps (Offer, *)
(*             BargeIn, machine steps) since the last record moved w, the  *)
(*             epoch word, the state word; nothing but the media thread    *)
(*             moved r (PL1);                                              *)
(*   flush   — MFlush: only when a request is pending, r to exactly        *)
(*             Max(r, flush-to) (PL2, flush-to-index);                     *)
(*   frame   — MRead/MCommit* then MEmit, under the tick's state word      *)
(*             (media.playout), followed by its segments;                  *)
(*   segment — one (epoch, item) run of that frame: never of an epoch      *)
(*             older than the one current at emission (PL3, hence never of *)
(*             a flushed epoch); delivered of the item = the audio of it   *)
(*             in the frames emitted so far, padding excluded (PL5);       *)
(*   read    — MRead/MCommit steps that staged without emitting yet.       *)
(*                                                                         *)
(* Where the code and Playout.tla differ, the checker follows the code:   *)
(*  - the state word is loaded once per tick and the tick may emit several *)
(*    frames (up to the lead) under it. A JS store after that load is      *)
(*    ordered after the tick's emissions (the linearization point is the   *)
(*    load), so this is Playout's per-frame re-check with JS's step late;  *)
(*    the epoch word, unlike the state word, is re-read per frame (frame's *)
(*    epoch), and PL3 is checked against it;                               *)
(*  - the state word is the playout machine's configuration (a generated   *)
(*    playout State index), as in Playout.tla; Session.tla abstracts it as *)
(*    the session configuration (its media.* tags are the session's view   *)
(*    of the same word), so the tags checked here are PlayoutMachine's;    *)
(*  - indices are byte offsets of a ring of variable-size records, not     *)
(*    chunk counts: PL2/PL4 are checked on the recorded indices, the unit  *)
(*    accounting (PL5) on the recorded samples.                            *)
(* One behaviour per trace (k); a rejection names its property.            *)
(***************************************************************************)
EXTENDS Naturals, Sequences, TLC, CoreTraceData

VARIABLES k, l, verdict, why, pst, r, w, epoch, pending, barrier, emitted, segLeft, fep, fleft
vars == <<k, l, verdict, why, pst, r, w, epoch, pending, barrier, emitted, segLeft, fep, fleft>>

PM == INSTANCE PlayoutMachine WITH state <- pst
ASSUME PM!KnownTags({"media.playout"})

Max(a, b) == IF a >= b THEN a ELSE b
Line == CoreTraces[k][l]
Em(i) == IF i \in DOMAIN emitted THEN emitted[i] ELSE 0
Num(n) == ToString(n)

\* "" when record x is a step of Playout here (or a stutter), else why not.
Check(x) ==
  CASE segLeft > 0 /\ x.k /= "segment" -> "trace: a frame's segments are missing"
    [] x.k = "tick" ->
         CASE x.r /= r -> "PL1: the read index moved outside the media thread's steps (" \o Num(r) \o " to " \o Num(x.r) \o ")"
           [] x.w < w -> "PL1: the write index moved back"
           [] x.r > x.w -> "PL4: read index past the write index"
           [] x.ep < epoch -> "PL3: the epoch word moved back"
           [] OTHER -> ""
    [] x.k = "flush" ->
         CASE ~pending -> "PL2: a flush executed that was not requested (or twice)"
           [] x.r /= Max(r, x.req) -> "PL2: flush executed to " \o Num(x.r) \o ", not to the index it named (" \o Num(x.req) \o ")"
           [] x.ep < epoch -> "PL3: the epoch word moved back"
           [] OTHER -> ""
    [] x.k = "frame" ->
         CASE ~PM!HasTag(pst, "media.playout") -> "SE1/PL: a frame emitted while the state word is " \o pst
           [] x.ep < epoch -> "PL3: the epoch word moved back"
           [] x.r < r -> "PL1: the read index moved back"
           [] x.n = 0 -> "PL5: a frame with no segment"
           [] OTHER -> ""
    [] x.k = "segment" ->
         CASE segLeft = 0 -> "trace: a segment outside a frame"
           [] x.ep < fep -> "PL3: a frame of epoch " \o Num(x.ep) \o " emitted while epoch " \o Num(fep) \o " was current"
           [] x.del /= Em(x.it) + x.n -> "PL5: delivered of item " \o Num(x.it) \o " is " \o Num(x.del) \o ", emitted " \o Num(Em(x.it) + x.n)
           [] segLeft = 1 /\ fleft /= x.n -> "PL5: a frame's audio differs from its segments' (padding counted?)"
           [] OTHER -> ""
    [] x.k = "read" ->
         CASE x.r < r -> "PL1: the read index moved back"
           [] OTHER -> ""
    [] OTHER -> "trace: unknown record " \o x.k

Apply(x) ==
  CASE x.k = "tick" ->
         /\ pst' = x.st /\ w' = x.w /\ epoch' = x.ep /\ pending' = x.pend
         /\ UNCHANGED <<r, barrier, emitted, segLeft, fep, fleft>>
    [] x.k = "flush" ->
         /\ r' = x.r /\ epoch' = x.ep /\ pending' = FALSE /\ barrier' = Max(barrier, x.req)
         /\ w' = Max(w, x.req)
         /\ UNCHANGED <<pst, emitted, segLeft, fep, fleft>>
    [] x.k = "frame" ->
         \* An epoch newer than the tick's: JS barged in mid-tick (its flush runs next tick).
         /\ r' = x.r /\ w' = Max(w, x.r) /\ epoch' = x.ep
         /\ pending' = (pending \/ x.ep > epoch)
         /\ segLeft' = x.n /\ fep' = x.ep /\ fleft' = x.samples
         /\ UNCHANGED <<pst, barrier, emitted>>
    [] x.k = "segment" ->
         /\ emitted' = [i \in DOMAIN emitted \cup {x.it} |-> IF i = x.it THEN Em(i) + x.n ELSE emitted[i]]
         /\ segLeft' = segLeft - 1 /\ fleft' = fleft - x.n
         /\ UNCHANGED <<pst, r, w, epoch, pending, barrier, fep>>
    [] OTHER ->
         /\ r' = x.r /\ w' = Max(w, x.r) /\ pending' = (pending \/ x.ep > epoch) /\ epoch' = Max(epoch, x.ep)
         /\ UNCHANGED <<pst, barrier, emitted, segLeft, fep, fleft>>

\* Trace mode is on from the call's open: an empty ring, epoch 0, nothing emitted.
TraceInit ==
  /\ k \in DOMAIN CoreTraces /\ l = 1 /\ verdict = "running" /\ why = ""
  /\ pst = PM!Initial /\ r = 0 /\ w = 0 /\ epoch = 0
  /\ pending = FALSE /\ barrier = 0 /\ emitted = [i \in {} |-> 0]
  /\ segLeft = 0 /\ fep = 0 /\ fleft = 0

TraceNext ==
  \/ /\ verdict = "running" /\ l > Len(CoreTraces[k])
     /\ verdict' = IF segLeft = 0 THEN "accepted" ELSE "rejected"
     /\ why' = IF segLeft = 0 THEN "" ELSE "trace: a frame's segments are missing"
     /\ UNCHANGED <<k, l, pst, r, w, epoch, pending, barrier, emitted, segLeft, fep, fleft>>
  \/ /\ verdict = "running" /\ l <= Len(CoreTraces[k])
     /\ IF Check(Line) = ""
          THEN Apply(Line) /\ l' = l + 1 /\ UNCHANGED <<k, verdict, why>>
          ELSE verdict' = "rejected" /\ why' = Check(Line)
               /\ UNCHANGED <<k, l, pst, r, w, epoch, pending, barrier, emitted, segLeft, fep, fleft>>
  \/ verdict /= "running" /\ UNCHANGED vars

\* The recorded core steps are a behaviour of Playout: no record was rejected.
TraceAccepted == verdict /= "rejected"
=============================================================================
