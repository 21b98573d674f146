--------------------------- MODULE TraceReconnect ---------------------------
(***************************************************************************)
(* Trace validation against specs/Reconnect.tla: recorded calls            *)
(* (TraceData) are behaviours of the aiLink machine under Reconnect's own  *)
(* guard semantics (Reconnect!G, with MAX the call's reconnect attempts),  *)
(* with the context the spec keeps (generation modulo the runtime's        *)
(* modulus, attempt, everOpened), and:                                     *)
(*   AL1 — a connection is opened only while connecting, for the current  *)
(*         generation (events of other generations reach the machine with  *)
(*         a generation no guard accepts);                                 *)
(*   AL2 — at most one reconnect is scheduled per lost generation;         *)
(*   AL3 — nothing is opened once stop began, and the link has stopped     *)
(*         when the call ends;                                             *)
(*   AL4 — attempts never exceed the bound.                                *)
(* Deterministic per trace (k), as TracePlayout explains.                  *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TraceData

VARIABLES k, l, verdict, why, lst, gen, attempt, everOpened, scheduled, stopBegun
vars == <<k, l, verdict, why, lst, gen, attempt, everOpened, scheduled, stopBegun>>
tracked == <<lst, gen, attempt, everOpened, scheduled, stopBegun>>

R == INSTANCE Reconnect WITH lst <- lst, gen <- gen, attempt <- attempt, everOpened <- everOpened,
       timer <- 0, backlog <- <<>>, flushPending <- FALSE, produced <- 0, lost <- 0,
       stopBegun <- stopBegun, freed <- FALSE, sock <- 0, opened <- 0, dropped <- 0, ch <- 0,
       sent <- <<>>, badSend <- FALSE, scheduled <- 0, lateOpen <- FALSE, opens <- 0, conns <- 0,
       GENS <- GenModulus, MAX <- MaxAttempts, FRAMES <- 0, BUF <- 1, REUSE <- TRUE, MUTANT <- "none"
G(name, e, p) == R!G(name, e, p)
AM == INSTANCE AiLinkMachine WITH state <- lst

Line == Traces[k][l]
Range(s) == {s[i] : i \in DOMAIN s}
Min(a, b) == IF a <= b THEN a ELSE b

Ev(x) == [type |-> x.e.type, generation |-> x.e.generation, fatal |-> x.e.fatal, timer |-> x.e.timer]
Runs(x, a) == AM!Runs(lst, Ev(x), G, a)
Effects1(x) == {a \in Range(AM!ActionsOf(lst, Ev(x), G)) : a \in Effects.aiLink}
GenAfter(x) == IF Runs(x, "bumpGeneration") THEN (gen + 1) % GenModulus ELSE gen
AttemptAfter(x) == IF Runs(x, "markOpened") THEN 0
                   ELSE IF Runs(x, "countAttempt") THEN Min(attempt + 1, MaxAttempts) ELSE attempt

Check(x) ==
  CASE x.k = "incomplete" -> "a machine step never completed"
    [] x.k = "step" /\ x.m = "aiLink" ->
         \* What the runtime did (its effects) against the properties, then against the machine.
         CASE "openConnection" \in x.acts /\ stopBegun -> "AL3: a connection opened after stop began"
           [] "scheduleReconnect" \in x.acts /\ gen \in scheduled -> "AL2: a second reconnect for one loss"
           [] x.ctx.attempt > MaxAttempts -> "AL4: attempts beyond the bound"
           [] x.from /= "" /\ x.from /= lst -> "machine: step from " \o x.from \o " in " \o lst
           [] x.to /= AM!Next(lst, Ev(x), G) -> "machine: " \o x.e.type \o " in " \o lst \o " leads to " \o AM!Next(lst, Ev(x), G) \o ", not " \o x.to
           [] x.acts /= Effects1(x) -> "machine: " \o x.e.type \o " in " \o lst \o " runs other actions"
           [] x.ctx.generation /= GenAfter(x) \/ x.ctx.attempt /= AttemptAfter(x)
                \/ x.ctx.everOpened /= (everOpened \/ Runs(x, "markOpened")) -> "machine: context differs"
           [] OTHER -> ""
    [] x.k = "connect" /\ (lst /= "connecting" \/ x.e.generation /= gen) -> "AL1: a connection opened for a generation that is not current"
    [] x.k = "end" /\ lst /= "stopped" -> "AL3: the call ended with the AI link in " \o lst
    [] OTHER -> ""

Apply(x) ==
  IF x.k = "step" /\ x.m = "aiLink"
    THEN /\ lst' = x.to
         /\ gen' = GenAfter(x)
         /\ attempt' = AttemptAfter(x)
         /\ everOpened' = (everOpened \/ Runs(x, "markOpened"))
         /\ scheduled' = IF "scheduleReconnect" \in x.acts THEN scheduled \cup {gen} ELSE scheduled
         /\ stopBegun' = (stopBegun \/ x.e.type = "STOP")
    ELSE UNCHANGED tracked

TraceInit ==
  /\ k \in DOMAIN Traces /\ l = 1 /\ verdict = "running" /\ why = ""
  /\ lst = AM!Initial /\ gen = 0 /\ attempt = 0 /\ everOpened = FALSE /\ scheduled = {} /\ stopBegun = FALSE

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
