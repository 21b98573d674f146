------------------------------- MODULE Session -------------------------------
(***************************************************************************)
(* Call lifecycle across the threads that touch a call                    *)
(* (docs/ARCHITECTURE.md#two-threads; specs/PROPERTIES.md SE1–SE5).       *)
(*                                                                         *)
(* JS thread: one event loop for every call. It takes telephony socket     *)
(* messages (start, caller audio, stop/hang-up, error) in TCP order, API   *)
(* stop, AI audio and the AI link's reports, timers, the server's shutdown *)
(* and the media thread's wake-ups, and feeds each call's generated session *)
(* machine. The machine's configuration is also the per-call state word    *)
(* the media thread reads (JS writes it in the same turn as the            *)
(* transition). Audio moves only where the tags allow it.                  *)
(*                                                                         *)
(* Media thread: at the start of each 20 ms tick takes every queued       *)
(* register/unregister command, acknowledges an unregister with            *)
(* MEDIA_RELEASED, and each tick touches the memory of every call it has   *)
(* registered (emitting a frame when the state word allows playout).       *)
(* Engine::stop joins it: after that no command is ever taken.             *)
(*                                                                         *)
(* Time: Tick is the media thread's tick, the clock of SE4. JS keeps up:   *)
(* a tick does not pass while JS has a report to handle and is free to.    *)
(*                                                                         *)
(* The AI link is abstracted to what the session sees of it: started,      *)
(* audio deltas (possibly still in flight after stop), give-up, and the     *)
(* AI_STOPPED report after stop (the link reports it on entering stopped,  *)
(* without waiting for the socket's close handshake). Timers are JS        *)
(* callbacks; clearTimeout is final.                                        *)
(*                                                                         *)
(* MUTANT re-introduces one original bug (specs/mutants/Session_*.cfg).     *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    NCALLS,     \* calls the server may accept over the run
    FRAMES,     \* audio messages (caller frames, AI deltas) per call (bounds the model)
    STOP_TICKS, \* SE4's bound: media ticks from stop/cleanup to the call's memory freed
    MUTANT      \* "none", or the bug to re-introduce

ASSUME NCALLS >= 1 /\ FRAMES >= 0 /\ STOP_TICKS >= 1
ASSUME MUTANT \in {"none", "inject_unguarded", "no_once_flag", "free_before_ack",
                   "stop_joins_socket", "accept_during_drain", "stopped_on_ai_close",
                   "engine_stop_early"}

Calls == 1..NCALLS
NoCall == 0
None == "none"

VARIABLES
    \* JS thread
    sst,        \* [Calls -> session configuration (= the media state word), or None]
    sdown,      \* [Calls -> BOOLEAN]: machine context shuttingDown
    tel,        \* [Calls -> "idle" | "open" | "started" | "ended"]: telephony socket
    ai,         \* [Calls -> "idle" | "running" | "stopping" | "stopped"]: the AI link
    gaveUp,     \* [Calls -> BOOLEAN]: the AI link gave up (once per call)
    stopReq,    \* [Calls -> BOOLEAN]: API stop requested (once per call)
    timers,     \* [Calls -> SUBSET Timers]: armed one-shot timers
    frames,     \* [Calls -> 0..FRAMES]: audio messages that arrived
    notice,     \* [Calls -> BOOLEAN]: a farewell notice waits for playout
    shutdown,   \* the server began shutting down
    \* shared
    alloc,      \* [Calls -> "none" | "live" | "freed"]: the call's memory
    cmdq,       \* JS -> media command queue
    wake,       \* media -> JS wake-ups (the coalesced thread-safe call)
    \* media thread
    mlist,      \* calls the media thread has registered
    mthread,    \* "running" | "joined" (Engine::stop returned)
    \* only for MUTANT = "stop_joins_socket": a link lock and a native socket thread
    lock,       \* "free" | "js"
    sockCb,     \* call whose socket callback is running (it needs the lock), or NoCall
    jsWait,     \* call whose stop blocks the JS thread (joining the socket thread), or NoCall
    \* history, read only by the properties
    cleanups,   \* [Calls -> 0..3]: times cleanup began
    triggered,  \* [Calls -> BOOLEAN]: a hang-up, stop or socket error was handled
    leak,       \* [Calls -> BOOLEAN]: audio captured, injected or played after cleanup began
    uaf,        \* some thread touched a call's memory after it was freed
    lateStart,  \* a call started after shutdown began
    age         \* [Calls -> 0..STOP_TICKS+1]: ticks since stop or cleanup began, until freed

vars == <<sst, sdown, tel, ai, gaveUp, stopReq, timers, frames, notice, shutdown, alloc,
          cmdq, wake, mlist, mthread, lock, sockCb, jsWait, cleanups, triggered, leak, uaf,
          lateStart, age>>

Timers == {"drainDeadline", "noticeDeadline"}
Min(a, b) == IF a <= b THEN a ELSE b

(***************************************************************************)
(* The generated machine, with the meaning of its guards. Events carry the *)
(* call they are for in field c.                                           *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "notShuttingDown" -> ~sdown[e.c]
      [] name = "isTimer"         -> e.timer = p.timer

SM == INSTANCE SessionMachine WITH state <- sst
\* Every machine name written by hand below exists in SessionMachine (a rename breaks the spec).
ASSUME SM!KnownTags({"media.capture", "media.inject", "media.playout"})
    /\ SM!KnownEvents({"AI_GAVE_UP", "AI_STOPPED", "CALL_STARTED", "HANGUP", "MEDIA_RELEASED", "PLAYOUT_DRAINED", "SHUTDOWN", "SOCKET_ERROR", "STOP", "TIMER_FIRED"})
    /\ SM!KnownActions({"beginCleanup", "cancelTimers", "closeTelephony", "freeCall", "markShuttingDown", "playNotice", "requestMediaRelease", "startAiLink", "startTimer", "stopAiLink"})
    /\ SM!KnownGuards({"isTimer", "notShuttingDown"})


Ev(type, c) == [type |-> type, c |-> c]
Live(c) == alloc[c] = "live" /\ sst[c] \notin SM!Done
Closing(c) == cleanups[c] > 0

\* One JS turn feeds events to some calls' machines (one call, or every call on shutdown)
\* and performs the effects their actions name. evs: [S -> event], S a set of calls.
Runs(evs, c, a) == c \in DOMAIN evs /\ SM!Runs(sst[c], evs[c], G, a)
Is(evs, c, types) == c \in DOMAIN evs /\ evs[c].type \in types

\* The once-only cleanup is the machine's beginCleanup. The bug: the runtime's socket and API
\* handlers call cleanup themselves on every trigger, with no once-flag.
Triggers == {"HANGUP", "STOP", "SOCKET_ERROR"}
Cleans(evs, c) ==
    IF MUTANT = "no_once_flag"
      THEN Runs(evs, c, "beginCleanup") \/ Is(evs, c, Triggers)
      ELSE Runs(evs, c, "beginCleanup")

\* Memory is freed when the machine says so, after the media thread's acknowledgement.
\* The bug: freed as soon as the unregister command is queued.
Frees(evs, c) ==
    IF MUTANT = "free_before_ack" THEN Runs(evs, c, "requestMediaRelease")
    ELSE Runs(evs, c, "freeCall")

\* Which timer startTimer arms: the drain deadline on shutdown, the notice bound on give-up.
TimerOf(e) == IF e.type = "SHUTDOWN" THEN "drainDeadline" ELSE "noticeDeadline"

RECURSIVE Cmds(_, _)
Cmds(evs, k) ==
    IF k > NCALLS THEN <<>>
    ELSE (IF Runs(evs, k, "startAiLink") THEN <<[op |-> "register", c |-> k]>> ELSE <<>>)
         \o (IF Runs(evs, k, "requestMediaRelease") THEN <<[op |-> "unregister", c |-> k]>> ELSE <<>>)
         \o Cmds(evs, k + 1)

Apply(evs) ==
    LET nxt(c) == IF c \in DOMAIN evs THEN SM!Next(sst[c], evs[c], G) ELSE sst[c] IN
    /\ sst' = [c \in Calls |-> nxt(c)]
    /\ sdown' = [c \in Calls |-> sdown[c] \/ Runs(evs, c, "markShuttingDown")]
    /\ cleanups' = [c \in Calls |-> IF Cleans(evs, c) THEN Min(cleanups[c] + 1, 3) ELSE cleanups[c]]
    /\ timers' = [c \in Calls |->
                    IF Runs(evs, c, "cancelTimers") THEN {}
                    ELSE IF Runs(evs, c, "startTimer") THEN timers[c] \cup {TimerOf(evs[c])}
                    ELSE IF Is(evs, c, {"TIMER_FIRED"}) THEN timers[c] \ {evs[c].timer}  \* one-shot
                    ELSE timers[c]]
    /\ tel' = [c \in Calls |->
                 IF Runs(evs, c, "closeTelephony") \/ Is(evs, c, {"HANGUP", "SOCKET_ERROR"}) THEN "ended"
                 ELSE IF Is(evs, c, {"CALL_STARTED"}) THEN "started"
                 ELSE tel[c]]
    /\ ai' = [c \in Calls |->
                IF Runs(evs, c, "stopAiLink") /\ ai[c] /= "stopped" THEN "stopping"
                ELSE IF Runs(evs, c, "startAiLink") THEN "running"
                ELSE IF Is(evs, c, {"AI_STOPPED"}) THEN "stopped"
                ELSE ai[c]]
    /\ notice' = [c \in Calls |-> notice[c] \/ Runs(evs, c, "playNotice")]
    /\ alloc' = [c \in Calls |-> IF Frees(evs, c) THEN "freed" ELSE alloc[c]]
    /\ cmdq' = cmdq \o Cmds(evs, 1)
    /\ triggered' = [c \in Calls |-> triggered[c] \/ Is(evs, c, Triggers)]
    /\ lateStart' = (lateStart \/ \E c \in DOMAIN evs : shutdown /\ Runs(evs, c, "startAiLink"))

One(c, e) == [x \in {c} |-> e]

\* Effects of a step that are not the machine's.
Unchanged1 == UNCHANGED <<gaveUp, stopReq, frames, shutdown, wake, mlist, mthread, lock, sockCb, jsWait,
                          leak, uaf, age>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
JsFree == jsWait = NoCall

\* A telephony socket is upgraded: a new session (no new call once shutdown began).
Accept(c) ==
    /\ JsFree
    /\ alloc[c] = "none"
    /\ ~shutdown \/ MUTANT = "accept_during_drain"
    /\ sst' = [sst EXCEPT ![c] = SM!Initial]
    /\ alloc' = [alloc EXCEPT ![c] = "live"]
    /\ tel' = [tel EXCEPT ![c] = "open"]
    /\ UNCHANGED <<sdown, ai, gaveUp, stopReq, timers, frames, notice, shutdown, cmdq, wake,
                   mlist, mthread, lock, sockCb, jsWait, cleanups, triggered, leak, uaf, lateStart,
                   age>>

TelStart(c) ==
    /\ JsFree /\ alloc[c] = "live" /\ tel[c] = "open"
    /\ Apply(One(c, Ev("CALL_STARTED", c)))
    /\ Unchanged1

\* The far side ends the call (Twilio stop / audio-stream close), or the socket fails.
TelEnd(c, type) ==
    /\ JsFree /\ alloc[c] = "live" /\ tel[c] \in {"open", "started"}
    /\ Apply(One(c, Ev(type, c)))
    /\ Unchanged1

\* Caller audio: forwarded into the capture path only with media.capture.
CallerFrame(c) ==
    /\ JsFree /\ alloc[c] /= "none" /\ tel[c] = "started" /\ frames[c] < FRAMES
    /\ frames' = [frames EXCEPT ![c] = @ + 1]
    /\ IF SM!HasTag(sst[c], "media.capture")
         THEN /\ leak' = [leak EXCEPT ![c] = @ \/ Closing(c)]
              /\ uaf' = (uaf \/ alloc[c] = "freed")
         ELSE UNCHANGED <<leak, uaf>>
    /\ UNCHANGED <<sst, sdown, tel, ai, gaveUp, stopReq, timers, notice, shutdown, alloc, cmdq,
                   wake, mlist, mthread, lock, sockCb, jsWait, cleanups, triggered, lateStart, age>>

\* An AI audio delta (it may still be in flight after stop): written into the playout ring
\* only with media.inject. The bug: the inject path does not check the state.
AiDelta(c) ==
    /\ JsFree /\ ai[c] \in {"running", "stopping"} /\ frames[c] < FRAMES
    /\ frames' = [frames EXCEPT ![c] = @ + 1]
    /\ IF SM!HasTag(sst[c], "media.inject") \/ MUTANT = "inject_unguarded"
         THEN /\ leak' = [leak EXCEPT ![c] = @ \/ Closing(c)]
              /\ uaf' = (uaf \/ alloc[c] = "freed")
         ELSE UNCHANGED <<leak, uaf>>
    /\ UNCHANGED <<sst, sdown, tel, ai, gaveUp, stopReq, timers, notice, shutdown, alloc, cmdq,
                   wake, mlist, mthread, lock, sockCb, jsWait, cleanups, triggered, lateStart, age>>

\* The AI link spent its budget (or hit a fatal error): once.
AiGiveUp(c) ==
    /\ JsFree /\ ai[c] = "running" /\ ~gaveUp[c]
    /\ gaveUp' = [gaveUp EXCEPT ![c] = TRUE]
    /\ Apply(One(c, Ev("AI_GAVE_UP", c)))
    /\ UNCHANGED <<stopReq, frames, shutdown, wake, mlist, mthread, lock, sockCb, jsWait, leak, uaf, age>>

\* The AI link reports that it stopped: its entry to `stopped` cancels the reconnect timer,
\* closes the socket without waiting for the close handshake, and reports. The bug: report
\* only on the socket's close event, which a provider that never answers the close (and no
\* terminate timer) withholds forever.
AiStopReady(c) == ai[c] = "stopping" /\ MUTANT /= "stopped_on_ai_close"
AiStopped(c) ==
    /\ JsFree /\ AiStopReady(c)
    /\ Apply(One(c, Ev("AI_STOPPED", c)))
    /\ Unchanged1

\* API stop, once per call. The bug (X-4): stop takes the link lock and joins the socket
\* thread, whose running callback waits for that lock.
ApiStop(c) ==
    /\ JsFree /\ Live(c) /\ ~stopReq[c]
    /\ stopReq' = [stopReq EXCEPT ![c] = TRUE]
    /\ IF MUTANT = "stop_joins_socket"
         THEN /\ lock = "free"
              /\ lock' = "js" /\ jsWait' = c
              /\ UNCHANGED <<sst, sdown, tel, ai, timers, notice, alloc, cmdq, cleanups,
                             triggered, lateStart>>
         ELSE /\ Apply(One(c, Ev("STOP", c)))
              /\ UNCHANGED <<lock, jsWait>>
    /\ UNCHANGED <<gaveUp, frames, shutdown, wake, mlist, mthread, sockCb, leak, uaf, age>>

\* (stop_joins_socket) the join returns once the socket thread is idle; then stop proceeds.
JoinDone ==
    /\ jsWait /= NoCall /\ sockCb = NoCall
    /\ lock' = "free" /\ jsWait' = NoCall
    /\ Apply(One(jsWait, Ev("STOP", jsWait)))
    /\ UNCHANGED <<gaveUp, stopReq, frames, shutdown, wake, mlist, mthread, sockCb, leak, uaf, age>>

TimerFire(c, t) ==
    /\ JsFree /\ t \in timers[c]
    /\ Apply(One(c, [type |-> "TIMER_FIRED", c |-> c, timer |-> t]))
    /\ Unchanged1

\* SIGTERM: readiness drops, no new call, and every session gets SHUTDOWN in one JS turn.
BeginShutdown ==
    /\ JsFree /\ ~shutdown
    /\ shutdown' = TRUE
    /\ Apply([c \in {x \in Calls : Live(x)} |-> Ev("SHUTDOWN", c)])
    /\ UNCHANGED <<gaveUp, stopReq, frames, wake, mlist, mthread, lock, sockCb, jsWait, leak, uaf, age>>

\* The coalesced wake-up: JS takes the media thread's oldest report.
Deliver ==
    /\ JsFree /\ wake /= <<>>
    /\ LET m == Head(wake) IN Apply(One(m.c, Ev(m.type, m.c)))
    /\ wake' = Tail(wake)
    /\ UNCHANGED <<gaveUp, stopReq, frames, shutdown, mlist, mthread, lock, sockCb, jsWait, leak, uaf, age>>

JSNext ==
    \/ \E c \in Calls : \/ Accept(c) \/ TelStart(c) \/ CallerFrame(c) \/ AiDelta(c)
                        \/ TelEnd(c, "HANGUP") \/ TelEnd(c, "SOCKET_ERROR")
                        \/ AiGiveUp(c) \/ AiStopped(c) \/ ApiStop(c)
                        \/ \E t \in Timers : TimerFire(c, t)
    \/ JoinDone \/ BeginShutdown \/ Deliver

(***************************************************************************)
(* Media thread                                                            *)
(***************************************************************************)

\* JS has a report to handle now: it does so before the next tick when it is free to.
JsDue == wake /= <<>> \/ \E c \in Calls : AiStopReady(c)
\* The call waits for its teardown: stop was asked or cleanup began, its memory not yet freed.
Waiting(c) == (stopReq[c] \/ Closing(c)) /\ alloc[c] = "live"
Acks(q) == LET u == SelectSeq(q, LAMBDA m : m.op = "unregister")
           IN [i \in 1..Len(u) |-> [type |-> "MEDIA_RELEASED", c |-> u[i].c]]

\* A media tick (20 ms), the clock of SE4. Unless Engine::stop joined it, the media thread
\* takes every queued command at the start of the tick and acknowledges each unregister once
\* it let go of the call; every call waiting for its teardown is one tick older.
Tick ==
    /\ ~(JsFree /\ JsDue)
    /\ cmdq /= <<>> \/ \E c \in Calls : Waiting(c)
    /\ age' = [c \in Calls |-> IF Waiting(c) THEN Min(age[c] + 1, STOP_TICKS + 1) ELSE age[c]]
    /\ IF mthread = "running"
         THEN /\ mlist' = (mlist \cup {cmdq[i].c : i \in {j \in 1..Len(cmdq) : cmdq[j].op = "register"}})
                          \ {cmdq[i].c : i \in {j \in 1..Len(cmdq) : cmdq[j].op = "unregister"}}
              /\ wake' = wake \o Acks(cmdq)
              /\ cmdq' = <<>>
              /\ uaf' = (uaf \/ \E i \in 1..Len(cmdq) : alloc[cmdq[i].c] = "freed")
         ELSE UNCHANGED <<mlist, wake, cmdq, uaf>>
    /\ UNCHANGED <<sst, sdown, tel, ai, gaveUp, stopReq, timers, frames, notice, shutdown, alloc,
                   mthread, lock, sockCb, jsWait, cleanups, triggered, leak, lateStart>>

\* Engine::stop (JS, engine.close()): joins the media thread. The server calls it once
\* server.shutdown() resolved, i.e. every call is over. The bug: stop the engine as soon as
\* shutdown begins, while a call still waits for its unregister to be acknowledged.
EngineStop ==
    /\ JsFree /\ shutdown /\ mthread = "running"
    /\ MUTANT = "engine_stop_early" \/ \A c \in Calls : alloc[c] /= "live"
    /\ mthread' = "joined"
    /\ UNCHANGED <<sst, sdown, tel, ai, gaveUp, stopReq, timers, frames, notice, shutdown, alloc,
                   cmdq, wake, mlist, lock, sockCb, jsWait, cleanups, triggered, leak, uaf,
                   lateStart, age>>

\* Per tick, per registered call: touch its memory; emit a frame when the state word allows
\* playout; report a queued farewell notice as played out. (Only the ticks that change
\* something are steps; the others are stuttering.)
MWork(c) ==
    /\ mthread = "running" /\ c \in mlist
    /\ \/ alloc[c] = "freed" /\ ~uaf
       \/ SM!HasTag(sst[c], "media.playout") /\ (notice[c] \/ (Closing(c) /\ ~leak[c]))
    /\ uaf' = (uaf \/ alloc[c] = "freed")
    /\ IF SM!HasTag(sst[c], "media.playout")
         THEN /\ leak' = [leak EXCEPT ![c] = @ \/ Closing(c)]
              /\ IF notice[c]
                   THEN /\ notice' = [notice EXCEPT ![c] = FALSE]
                        /\ wake' = Append(wake, [type |-> "PLAYOUT_DRAINED", c |-> c])
                   ELSE UNCHANGED <<notice, wake>>
         ELSE UNCHANGED <<leak, notice, wake>>
    /\ UNCHANGED <<sst, sdown, tel, ai, gaveUp, stopReq, timers, frames, shutdown, alloc, cmdq,
                   mlist, mthread, lock, sockCb, jsWait, cleanups, triggered, lateStart, age>>

MediaNext == Tick \/ EngineStop \/ \E c \in Calls : MWork(c)

(***************************************************************************)
(* The native socket thread of the stop_joins_socket bug: a callback for a *)
(* running link starts, then needs the link lock to finish.                *)
(***************************************************************************)
SockCbBegin(c) ==
    /\ MUTANT = "stop_joins_socket"
    /\ sockCb = NoCall /\ ai[c] = "running"
    /\ sockCb' = c
    /\ UNCHANGED <<sst, sdown, tel, ai, gaveUp, stopReq, timers, frames, notice, shutdown, alloc,
                   cmdq, wake, mlist, mthread, lock, jsWait, cleanups, triggered, leak, uaf, lateStart,
                   age>>

SockCbEnd ==
    /\ sockCb /= NoCall /\ lock = "free"
    /\ sockCb' = NoCall
    /\ UNCHANGED <<sst, sdown, tel, ai, gaveUp, stopReq, timers, frames, notice, shutdown, alloc,
                   cmdq, wake, mlist, mthread, lock, jsWait, cleanups, triggered, leak, uaf, lateStart,
                   age>>

SockNext == SockCbEnd \/ \E c \in Calls : SockCbBegin(c)

(***************************************************************************)
(* Specification                                                           *)
(***************************************************************************)
Init ==
    /\ sst = [c \in Calls |-> None]
    /\ sdown = [c \in Calls |-> FALSE]
    /\ tel = [c \in Calls |-> "idle"]
    /\ ai = [c \in Calls |-> "idle"]
    /\ gaveUp = [c \in Calls |-> FALSE]
    /\ stopReq = [c \in Calls |-> FALSE]
    /\ timers = [c \in Calls |-> {}]
    /\ frames = [c \in Calls |-> 0]
    /\ notice = [c \in Calls |-> FALSE]
    /\ shutdown = FALSE
    /\ alloc = [c \in Calls |-> "none"]
    /\ cmdq = <<>> /\ wake = <<>> /\ mlist = {} /\ mthread = "running"
    /\ lock = "free" /\ sockCb = NoCall /\ jsWait = NoCall
    /\ cleanups = [c \in Calls |-> 0]
    /\ triggered = [c \in Calls |-> FALSE]
    /\ leak = [c \in Calls |-> FALSE]
    /\ uaf = FALSE /\ lateStart = FALSE
    /\ age = [c \in Calls |-> 0]

\* Every call is over, the server is shut down and both threads are quiet: the only state
\* allowed to have no successor.
Finished ==
    /\ shutdown
    /\ \A c \in Calls : alloc[c] /= "live"
    /\ cmdq = <<>> /\ wake = <<>> /\ mthread = "joined"
    /\ UNCHANGED vars

Next == JSNext \/ MediaNext \/ SockNext \/ Finished

Spec == Init /\ [][Next]_vars

\* The media thread ticks, JS takes wake-ups and the AI link's stop report, timers fire and a
\* join that can return does. One weak-fairness condition over all of them is enough: each is
\* a step of progress (queues drain, timers fire once), so none can be starved forever by the
\* others. Callers, the far side, the AI and the operator owe nothing.
Internal ==
    \/ MediaNext \/ Deliver \/ JoinDone \/ SockCbEnd
    \/ \E c \in Calls : AiStopped(c) \/ \E t \in Timers : TimerFire(c, t)

LiveSpec == Spec /\ WF_vars(Internal)

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ \A c \in Calls : sst[c] \in SM!States \cup {None}
    /\ \A c \in Calls : alloc[c] \in {"none", "live", "freed"}
    /\ mlist \subseteq Calls

\* SE1: no audio is injected, played or captured for a call after its cleanup has begun
\* (and the state word the media thread reads says so from that very turn on).
SE1_NoMediaAfterCleanup ==
    /\ \A c \in Calls : ~leak[c]
    /\ \A c \in Calls : Closing(c) =>
         ~SM!HasTag(sst[c], "media.capture") /\ ~SM!HasTag(sst[c], "media.inject")
         /\ ~SM!HasTag(sst[c], "media.playout")

\* SE2: cleanup runs exactly once, whatever mix of hang-up, stop, socket error and shutdown
\* triggers it: never twice, and any hang-up, stop or socket error has started it.
SE2_CleanupOnce ==
    \A c \in Calls : cleanups[c] <= 1 /\ (triggered[c] => cleanups[c] = 1)

\* SE3: per-call memory is freed only after the media thread acknowledged the removal: no
\* thread ever touches freed memory, and nothing still refers to a freed call.
SE3_NoUseAfterFree ==
    /\ ~uaf
    /\ \A c \in Calls : alloc[c] = "freed" =>
         /\ c \notin mlist
         /\ \A i \in 1..Len(cmdq) : cmdq[i].c /= c

\* SE4: teardown is bounded in time: from an API stop or the start of cleanup, the call's
\* memory is freed within STOP_TICKS media ticks, through every blocking point (the AI link's
\* close, the media thread's acknowledgement of the unregister, Engine::stop joining the media
\* thread), given that JS keeps up. A call stuck anywhere ages past the bound ...
SE4_BoundedStop ==
    \A c \in Calls : age[c] <= STOP_TICKS
\* ... and (liveness, under LiveSpec) it gets there: no thread waits on one that waits on it.
SE4_StopCompletes ==
    \A c \in Calls : (stopReq[c] \/ Closing(c)) ~> (alloc[c] = "freed")

\* SE5: no new call starts after shutdown began ...
SE5_NoStartAfterShutdown ==
    ~lateStart
\* ... and (liveness) every live call drains or is force-closed: the drain deadline ends it.
SE5_ShutdownDrains ==
    shutdown ~> (\A c \in Calls : alloc[c] /= "live")

=============================================================================
