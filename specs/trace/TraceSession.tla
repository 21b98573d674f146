---------------------------- MODULE TraceSession ----------------------------
(***************************************************************************)
(* Trace validation against specs/Session.tla: recorded calls (TraceData)  *)
(* are behaviours of the session machine under Session's own guard         *)
(* semantics (Session!G; the recorded call is call 1 of the model), and    *)
(* the lifecycle promises hold at the trace's level of observation:        *)
(*   SE1 — no frame leaves Parley and no agent audio is injected once      *)
(*         cleanup began (frames need media.playout, the turn machine's    *)
(*         enqueueAudio needs media.inject, in the session's configuration);*)
(*   SE2 — cleanup (beginCleanup) runs exactly once per call;              *)
(*   SE3 — the call's memory is freed (freeCall) only on MEDIA_RELEASED,   *)
(*         the media thread's acknowledgement;                             *)
(*   the call ends in a final configuration.                               *)
(* Deterministic per trace (k), as TracePlayout explains.                  *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TraceData

VARIABLES k, l, verdict, why, sst, down, cleanups
vars == <<k, l, verdict, why, sst, down, cleanups>>

S == INSTANCE Session WITH sst <- [c \in {1} |-> sst], sdown <- [c \in {1} |-> down],
       tel <- 0, ai <- 0, gaveUp <- 0, stopReq <- 0, timers <- 0, frames <- 0, notice <- 0,
       shutdown <- FALSE, alloc <- 0, cmdq <- <<>>, wake <- <<>>, mlist <- {}, mthread <- "running", lock <- 0,
       sockCb <- 0, jsWait <- 0, cleanups <- 0, triggered <- 0, leak <- 0, uaf <- FALSE,
       lateStart <- FALSE, age <- 0,
       NCALLS <- 1, FRAMES <- 0, STOP_TICKS <- 2, MUTANT <- "none"
G(name, e, p) == S!G(name, e, p)
SM == INSTANCE SessionMachine WITH state <- sst

Line == Traces[k][l]
Range(s) == {s[i] : i \in DOMAIN s}

Ev(x) == [type |-> x.e.type, c |-> 1, timer |-> x.e.timer]
Runs(x, a) == SM!Runs(sst, Ev(x), G, a)
Effects1(x) == {a \in Range(SM!ActionsOf(sst, Ev(x), G)) : a \in Effects.session}
DownAfter(x) == down \/ Runs(x, "markShuttingDown")

Check(x) ==
  CASE x.k = "incomplete" -> "a machine step never completed"
    [] x.k = "step" /\ x.m = "session" ->
         \* What the runtime did (its effects) against the properties, then against the machine.
         CASE "beginCleanup" \in x.acts /\ cleanups > 0 -> "SE2: cleanup began twice"
           [] "freeCall" \in x.acts /\ x.e.type /= "MEDIA_RELEASED" -> "SE3: memory freed before the media thread let go"
           [] x.from /= "" /\ x.from /= sst -> "machine: step from " \o x.from \o " in " \o sst
           [] x.to /= SM!Next(sst, Ev(x), G) -> "machine: " \o x.e.type \o " in " \o sst \o " leads to " \o SM!Next(sst, Ev(x), G) \o ", not " \o x.to
           [] x.acts /= Effects1(x) -> "machine: " \o x.e.type \o " in " \o sst \o " runs other actions"
           [] x.ctx.down /= DownAfter(x) -> "machine: shuttingDown differs"
           [] OTHER -> ""
    [] x.k = "step" /\ x.m = "turn" /\ "enqueueAudio" \in x.acts /\ ~SM!HasTag(sst, "media.inject") ->
         "SE1: agent audio injected in " \o sst
    [] x.k = "frames" /\ ~SM!HasTag(sst, "media.playout") -> "SE1: frames sent in " \o sst
    [] x.k = "end" /\ sst \notin SM!Done -> "the call ended in " \o sst
    [] x.k = "end" /\ cleanups /= 1 -> "SE2: the call ended without exactly one cleanup"
    [] OTHER -> ""

Apply(x) ==
  IF x.k = "step" /\ x.m = "session"
    THEN /\ sst' = x.to
         /\ down' = DownAfter(x)
         /\ cleanups' = IF "beginCleanup" \in x.acts THEN cleanups + 1 ELSE cleanups
    ELSE UNCHANGED <<sst, down, cleanups>>

TraceInit ==
  /\ k \in DOMAIN Traces /\ l = 1 /\ verdict = "running" /\ why = ""
  /\ sst = SM!Initial /\ down = FALSE /\ cleanups = 0

TraceNext ==
  \/ /\ verdict = "running" /\ l > Len(Traces[k])
     /\ verdict' = "accepted" /\ UNCHANGED <<k, l, why, sst, down, cleanups>>
  \/ /\ verdict = "running" /\ l <= Len(Traces[k])
     /\ IF Check(Line) = ""
          THEN Apply(Line) /\ l' = l + 1 /\ UNCHANGED <<k, verdict, why>>
          ELSE verdict' = "rejected" /\ why' = Check(Line) /\ UNCHANGED <<k, l, sst, down, cleanups>>
  \/ verdict /= "running" /\ UNCHANGED vars

TraceAccepted == verdict /= "rejected"
=============================================================================
