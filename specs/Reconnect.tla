------------------------------ MODULE Reconnect ------------------------------
(***************************************************************************)
(* The AI link of one call: connection generations, loss, backoff, give-up *)
(* and stop (docs/ARCHITECTURE.md#ai-link-and-reconnect;                 *)
(* specs/PROPERTIES.md AL1–AL5).                                           *)
(*                                                                         *)
(* JS thread: drives the generated aiLink machine. It takes each socket's  *)
(* events (open, error, close), its own handshake timeout and reconnect    *)
(* timer, caller audio, the session's stop, and performs the machine's     *)
(* actions: open a socket for the current generation, drop one, arm or     *)
(* cancel the reconnect timer, send (session config, audio) on the current *)
(* socket, buffer caller audio in a bounded gap buffer and flush it in     *)
(* order on open, give up. The generation lives in this spec (modulo GENS, *)
(* like the machine's context); socket objects occupy one slot per         *)
(* generation residue.                                                     *)
(*                                                                         *)
(* AI sockets: each connects, then opens or fails; a failure emits error,  *)
(* close, or both (X-5); events of one socket stay in TCP order but may be *)
(* handled arbitrarily late relative to other sockets, timers and caller   *)
(* audio. A fatal failure (auth/config) happens at the handshake. Drops    *)
(* are unbounded: the network may fail every attempt.                      *)
(*                                                                         *)
(* With REUSE (the main configs): an event of a dropped socket is assumed  *)
(* handled before GENS - 1 newer connections have been opened, so a slot  *)
(* reused by a newer connection starts with no events left (the runtime's *)
(* modulus is 1024 and each reconnect waits >= 100 ms). Without REUSE     *)
(* (Reconnect_inflight.cfg) nothing is deleted: an old socket's events stay*)
(* in flight, for as many newer connections as the run has (the run is cut *)
(* before a generation would wrap, NoWrap), and only the generation check  *)
(* keeps them out, as the runtime's clientGen does.                        *)
(*                                                                         *)
(* MUTANT re-introduces one original bug (specs/mutants/Reconnect_*.cfg).   *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS
    GENS,       \* generation modulus of the model (>= 2)
    MAX,        \* reconnect attempts per loss (the machine's maxAttempts)
    FRAMES,     \* caller audio frames over the call
    BUF,        \* gap buffer bound, in frames
    REUSE,      \* TRUE: a reused slot starts empty (the assumption above); FALSE: no deletion
    MUTANT      \* "none", or the bug to re-introduce

ASSUME GENS >= 2 /\ MAX >= 1 /\ FRAMES >= 0 /\ BUF >= 1 /\ REUSE \in BOOLEAN
ASSUME MUTANT \in {"none", "no_generation_check", "reconnect_in_socket_handlers",
                   "stop_keeps_timer", "unbounded_retries", "backlog_after_live"}

Slots == 0..(GENS - 1)
NoTimer == GENS        \* outside Slots

VARIABLES
    \* JS thread: the machine and its context
    lst,        \* aiLink configuration
    gen,        \* context.generation
    attempt,    \* context.attempt
    everOpened, \* context.everOpened
    timer,      \* armed reconnect timer: the generation it fires for, or NoTimer
    backlog,    \* caller frames buffered during the gap (in order)
    flushPending, \* (backlog_after_live) a backlog flush deferred to a later turn
    produced,   \* caller frames produced so far
    lost,       \* caller frames dropped (counted)
    stopBegun,  \* the session's stop reached the link
    freed,      \* the session freed the call
    \* AI sockets, one per slot
    sock,       \* [Slots -> "idle" | "connecting" | "open" | "dead"]
    opened,     \* [Slots -> BOOLEAN]: that socket completed its upgrade
    dropped,    \* [Slots -> BOOLEAN]: we closed and detached it
    ch,         \* [Slots -> Seq(event)]: events it emitted that JS has not handled yet
    \* what the provider received, across connections
    sent,       \* caller frames received, in arrival order
    \* history
    badSend,    \* something was sent on a socket that is not the current, open one
    scheduled,  \* [Slots -> Nat]: reconnects scheduled for the loss of that generation
    lateOpen,   \* a connection was opened after stop began
    opens,      \* connections opened since the last successful open (capped)
    conns       \* without REUSE: connections opened over the call (capped at GENS)

vars == <<lst, gen, attempt, everOpened, timer, backlog, flushPending, produced, lost,
          stopBegun, freed, sock, opened, dropped, ch, sent, badSend, scheduled, lateOpen, opens,
          conns>>

Min(a, b) == IF a <= b THEN a ELSE b

(***************************************************************************)
(* The generated machine, with the meaning of its guards.                  *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "isCurrent"        -> MUTANT = "no_generation_check" \/ e.generation = gen
      [] name = "isFatal"          -> e.fatal
      [] name = "canRetry"         -> MUTANT = "unbounded_retries" \/ attempt < MAX
      [] name = "hasOpenedBefore"  -> everOpened
      [] name = "isReconnectTimer" -> e.timer = "reconnect"

AM == INSTANCE AiLinkMachine WITH state <- lst
\* Every machine name written by hand below exists in AiLinkMachine (a rename breaks the spec).
ASSUME AM!KnownStates({"idle", "connecting", "open", "backoff", "stopped", "failed"})
    /\ AM!KnownTags({"ai.buffer", "ai.send"})
    /\ AM!KnownEvents({"AI_CLOSE", "AI_ERROR", "AI_OPEN", "START", "STOP", "TIMER_FIRED"})
    /\ AM!KnownActions({"bumpGeneration", "cancelReconnectTimer", "configureSession", "countAttempt", "dropConnection", "flushCaptureBacklog", "giveUp", "markOpened", "openConnection", "scheduleReconnect"})
    /\ AM!KnownGuards({"canRetry", "hasOpenedBefore", "isCurrent", "isFatal", "isReconnectTimer"})


Runs(e, a) == AM!Runs(lst, e, G, a)

\* A send on socket g is legitimate only on the current generation's socket, upgraded and not
\* dropped by us.
SendOk(g) == g = gen /\ opened[g] /\ ~dropped[g]

\* Reconnects are scheduled by the machine, once per loss. The bug (X-5): the socket's error
\* and close handlers each schedule one.
Schedules(e) ==
    IF MUTANT = "reconnect_in_socket_handlers"
      THEN e.type \in {"AI_ERROR", "AI_CLOSE"} /\ ~e.fatal /\ lst \in {"connecting", "open", "backoff"}
      ELSE Runs(e, "scheduleReconnect")

\* JS handles event e: the machine's step and every effect its actions name. chB and timerB
\* are the socket queues and timer as the handling step leaves them before the machine acts.
Handle(e, chB, timerB) ==
    LET newGen == IF Runs(e, "bumpGeneration") THEN (gen + 1) % GENS ELSE gen
        drop   == Runs(e, "dropConnection")
        open   == Runs(e, "openConnection")
        flush  == Runs(e, "flushCaptureBacklog")
        config == Runs(e, "configureSession")
    IN
    /\ lst' = AM!Next(lst, e, G)
    /\ gen' = newGen
    /\ attempt' = IF Runs(e, "markOpened") THEN 0
                  ELSE IF Runs(e, "countAttempt") THEN Min(attempt + 1, MAX) ELSE attempt
    /\ everOpened' = (everOpened \/ Runs(e, "markOpened"))
    /\ timer' = IF Runs(e, "cancelReconnectTimer") /\ MUTANT /= "stop_keeps_timer" THEN NoTimer
                ELSE IF Schedules(e) THEN newGen
                ELSE timerB
    /\ scheduled' = IF Schedules(e)
                      THEN [scheduled EXCEPT ![e.generation] = Min(@ + 1, 2)]
                      ELSE IF open THEN [scheduled EXCEPT ![newGen] = 0] ELSE scheduled
    \* dropConnection closes the current (pre-bump) socket; openConnection the new slot
    /\ sock' = IF open THEN [sock EXCEPT ![newGen] = "connecting"]
               ELSE IF drop /\ sock[gen] \in {"connecting", "open"} THEN [sock EXCEPT ![gen] = "dead"]
               ELSE sock
    /\ dropped' = IF open THEN [dropped EXCEPT ![newGen] = FALSE]
                  ELSE IF drop THEN [dropped EXCEPT ![gen] = TRUE] ELSE dropped
    /\ opened' = IF open THEN [opened EXCEPT ![newGen] = FALSE] ELSE opened
    /\ ch' = IF open /\ REUSE THEN [chB EXCEPT ![newGen] = <<>>] ELSE chB
    /\ conns' = IF open /\ ~REUSE THEN Min(conns + 1, GENS) ELSE conns
    /\ lateOpen' = (lateOpen \/ (open /\ stopBegun))
    /\ opens' = IF Runs(e, "markOpened") THEN 0 ELSE IF open THEN Min(opens + 1, MAX + 2) ELSE opens
    \* sends happen on the (unchanged) current socket
    /\ badSend' = (badSend \/ ((config \/ (flush /\ backlog /= <<>>)) /\ ~SendOk(gen)))
    /\ IF flush /\ MUTANT /= "backlog_after_live"
         THEN /\ sent' = sent \o backlog /\ backlog' = <<>> /\ UNCHANGED <<flushPending, lost>>
         ELSE IF flush
         THEN /\ flushPending' = TRUE /\ UNCHANGED <<sent, backlog, lost>>
         ELSE IF Runs(e, "giveUp")
         THEN /\ lost' = lost + Len(backlog) /\ backlog' = <<>> /\ UNCHANGED <<sent, flushPending>>
         ELSE UNCHANGED <<sent, backlog, flushPending, lost>>

JsRest == <<produced, stopBegun, freed>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
Start ==
    /\ lst = "idle" /\ ~stopBegun
    /\ Handle([type |-> "START"], ch, timer)
    /\ UNCHANGED JsRest

\* JS handles the oldest unhandled event of socket g.
Deliver(g) ==
    /\ ch[g] /= <<>>
    /\ Handle(Head(ch[g]), [ch EXCEPT ![g] = Tail(@)], timer)
    /\ UNCHANGED JsRest

\* The handshake timer of the current connection fires before JS saw it open.
ConnectTimeout ==
    /\ lst = "connecting"
    /\ Handle([type |-> "AI_ERROR", generation |-> gen, fatal |-> FALSE], ch, timer)
    /\ UNCHANGED JsRest

TimerFire ==
    /\ timer /= NoTimer
    /\ Handle([type |-> "TIMER_FIRED", timer |-> "reconnect", generation |-> timer], ch, NoTimer)
    /\ UNCHANGED JsRest

\* A caller frame: sent on the open link, kept in the bounded gap buffer (oldest dropped and
\* counted when full), or dropped and counted when the link is down.
CallerFrame ==
    /\ produced < FRAMES
    /\ produced' = produced + 1
    /\ LET f == produced + 1 IN
       CASE AM!HasTag(lst, "ai.send") ->
              /\ sent' = Append(sent, f)
              /\ badSend' = (badSend \/ ~SendOk(gen))
              /\ UNCHANGED <<backlog, lost>>
         [] AM!HasTag(lst, "ai.buffer") /\ Len(backlog) < BUF ->
              /\ backlog' = Append(backlog, f)
              /\ UNCHANGED <<sent, badSend, lost>>
         [] AM!HasTag(lst, "ai.buffer") ->
              /\ backlog' = Append(Tail(backlog), f)
              /\ lost' = lost + 1
              /\ UNCHANGED <<sent, badSend>>
         [] OTHER ->
              /\ lost' = lost + 1
              /\ UNCHANGED <<sent, badSend, backlog>>
    /\ UNCHANGED <<lst, gen, attempt, everOpened, timer, flushPending, stopBegun, freed, sock,
                   opened, dropped, ch, scheduled, lateOpen, opens, conns>>

\* (backlog_after_live) the deferred flush of the gap buffer.
FlushLater ==
    /\ flushPending
    /\ flushPending' = FALSE
    /\ sent' = sent \o backlog /\ backlog' = <<>>
    /\ badSend' = (badSend \/ (backlog /= <<>> /\ ~SendOk(gen)))
    /\ UNCHANGED <<lst, gen, attempt, everOpened, timer, produced, lost, stopBegun, freed, sock,
                   opened, dropped, ch, scheduled, lateOpen, opens, conns>>

\* The session begins cleanup: STOP reaches the link (once).
Stop ==
    /\ ~stopBegun
    /\ stopBegun' = TRUE
    /\ Handle([type |-> "STOP"], ch, timer)
    /\ UNCHANGED <<produced, freed>>

\* The session frees the call once the link reported stopped.
Free ==
    /\ lst = "stopped" /\ ~freed
    /\ freed' = TRUE
    /\ UNCHANGED <<lst, gen, attempt, everOpened, timer, backlog, flushPending, produced, lost,
                   stopBegun, sock, opened, dropped, ch, sent, badSend, scheduled, lateOpen, opens, conns>>

(***************************************************************************)
(* AI sockets                                                              *)
(***************************************************************************)
SockVarsUnchanged ==
    UNCHANGED <<lst, gen, attempt, everOpened, timer, backlog, flushPending, produced, lost,
                stopBegun, freed, dropped, sent, badSend, scheduled, lateOpen, opens, conns>>

SockOpen(g) ==
    /\ sock[g] = "connecting"
    /\ sock' = [sock EXCEPT ![g] = "open"]
    /\ opened' = [opened EXCEPT ![g] = TRUE]
    /\ ch' = [ch EXCEPT ![g] = Append(@, [type |-> "AI_OPEN", generation |-> g])]
    /\ SockVarsUnchanged

\* A failure emits error, close, or error then close; fatal only at the handshake.
SockFail(g) ==
    /\ sock[g] \in {"connecting", "open"}
    /\ \E fatal \in (IF sock[g] = "connecting" THEN BOOLEAN ELSE {FALSE}) :
       \E kinds \in {<<"AI_ERROR">>, <<"AI_CLOSE">>, <<"AI_ERROR", "AI_CLOSE">>} :
         ch' = [ch EXCEPT ![g] = @ \o [i \in 1..Len(kinds) |->
                                         [type |-> kinds[i], generation |-> g, fatal |-> fatal]]]
    /\ sock' = [sock EXCEPT ![g] = "dead"]
    /\ UNCHANGED opened
    /\ SockVarsUnchanged

SockNext == \E g \in Slots : SockOpen(g) \/ SockFail(g)

(***************************************************************************)
(* Specification                                                           *)
(***************************************************************************)
Init ==
    /\ AM!Init
    /\ gen = 0 /\ attempt = 0 /\ everOpened = FALSE /\ timer = NoTimer
    /\ backlog = <<>> /\ flushPending = FALSE /\ produced = 0 /\ lost = 0
    /\ stopBegun = FALSE /\ freed = FALSE
    /\ sock = [g \in Slots |-> "idle"]
    /\ opened = [g \in Slots |-> FALSE]
    /\ dropped = [g \in Slots |-> FALSE]
    /\ ch = [g \in Slots |-> <<>>]
    /\ sent = <<>>
    /\ badSend = FALSE /\ scheduled = [g \in Slots |-> 0] /\ lateOpen = FALSE /\ opens = 0
    /\ conns = 0

JSNext ==
    \/ Start \/ ConnectTimeout \/ TimerFire \/ CallerFrame \/ FlushLater \/ Stop \/ Free
    \/ \E g \in Slots : Deliver(g)

\* The call is over: freed, nothing left to handle.
Finished ==
    /\ freed /\ produced = FRAMES /\ ~flushPending
    /\ \A g \in Slots : ch[g] = <<>> /\ sock[g] \notin {"connecting", "open"}
    /\ UNCHANGED vars

Next == JSNext \/ SockNext \/ Finished

Spec == Init /\ [][Next]_vars

\* Sockets resolve, JS handles their events, timers fire, a deferred flush runs, each
\* whenever it can (one weak-fairness condition: every one of them is progress). The network
\* may still fail every attempt; callers and the session owe nothing.
Internal == SockNext \/ TimerFire \/ FlushLater \/ \E g \in Slots : Deliver(g)
LiveSpec == Spec /\ WF_vars(Internal)

\* Without REUSE, the run stops before a generation would wrap onto a used slot (a CONSTRAINT):
\* at most GENS - 1 connections, each with its own slot, every old event left in flight.
NoWrap == REUSE \/ conns < GENS

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ AM!TypeOK
    /\ gen \in Slots /\ attempt \in 0..MAX
    /\ timer \in Slots \cup {NoTimer}
    /\ Len(backlog) <= BUF

\* AL1: nothing is sent on a connection that is not the current, open one ...
AL1_SendOnlyOnCurrentOpen ==
    ~badSend
\* ... and an event of an older generation changes nothing.
AL1_StaleEventsChangeNothing ==
    [][\A g \in Slots :
         (ch[g] /= <<>> /\ ch'[g] = Tail(ch[g]) /\ Head(ch[g]).generation /= gen)
           => UNCHANGED <<lst, gen, attempt, everOpened, timer, sent, backlog>>]_vars

\* AL2: at most one reconnect is scheduled per connection loss, even when error and close
\* both arrive.
AL2_OneReconnectPerLoss ==
    \A g \in Slots : scheduled[g] <= 1

\* AL3: no connection is opened after stop began, and nothing of the link outlives the call:
\* when it is freed no reconnect timer is armed and no socket is still live.
AL3_NothingAfterStop ==
    /\ ~lateOpen
    /\ freed => /\ timer = NoTimer
               /\ \A g \in Slots : sock[g] \in {"connecting", "open"} => dropped[g]

\* AL4: attempts per loss are bounded ...
AL4_AttemptsBounded ==
    opens <= MAX + 1
\* ... and (liveness, under LiveSpec) a link that is (re)connecting ends up open or given up.
AL4_OpenOrGiveUp ==
    (lst \in {"connecting", "backoff"}) ~> (lst \in {"open", "failed", "stopped"})

\* AL5: caller audio produced while disconnected is sent in order after reconnect, or dropped
\* and counted; never reordered, never silently lost.
IsIncreasing(s) == \A i \in 1..(Len(s) - 1) : s[i] < s[i + 1]
AL5_InOrderOrCounted ==
    /\ IsIncreasing(sent)
    /\ Len(sent) + Len(backlog) + lost = produced

=============================================================================
