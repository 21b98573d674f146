----------------------------- MODULE Admission -----------------------------
(***************************************************************************)
(* PARLEY_MAX_CALLS across the workers of `parley serve --workers N`       *)
(* (src/server/cluster/admission.ts, worker.ts, src/server/server.ts       *)
(* reserveCall). Node's round-robin hands a connection to whichever worker  *)
(* is free, so calls land on the workers in any proportion. A worker asks  *)
(* the primary before it admits a call; the primary grants while the live  *)
(* calls its workers reported plus the places it granted and has not seen  *)
(* settled stay below MAX. An admitted call that attaches reports `calls    *)
(* +1`, which turns its place into a live call at the primary; one that     *)
(* fails settles its place. A call's end reports `calls -1`. A worker that *)
(* waits too long for the answer refuses the caller, and settles a yes     *)
(* that comes after that.                                                  *)
(*                                                                         *)
(* Each worker has its own FIFO channel to the primary and back (Node's     *)
(* IPC); the primary serves the channels in any interleaving.              *)
(*                                                                         *)
(* MUTANT "settle_first": an attached call settles its place before it      *)
(*   reports `calls +1` (the primary briefly sees neither).                *)
(* MUTANT "plus_keeps_grant": `calls +1` does not take over the grant (the  *)
(*   primary counts the call twice until a settle).                        *)
(* MUTANT "late_yes_kept": a yes that comes after the timeout is dropped    *)
(*   without settling (the place leaks).                                   *)
(* MUTANT "share": each worker enforces its share of MAX on its own, the     *)
(*   design this replaced.                                                 *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    W,         \* the workers
    CALLS,     \* the callers over the run; each lands on a worker of its choosing
    MAX,       \* PARLEY_MAX_CALLS
    MUTANT     \* "none", "settle_first", "plus_keeps_grant", "late_yes_kept" or "share"

ASSUME W /= {} /\ CALLS \in Nat \ {0} /\ MAX \in Nat \ {0}
ASSUME MUTANT \in {"none", "settle_first", "plus_keeps_grant", "late_yes_kept", "share"}

Calls == 1..CALLS
\* A caller's stage, on the worker side (and the caller's view).
Stages == {"new", "asked", "timedout", "admitted", "live", "ended", "failed", "refused"}

VARIABLES
    stage,     \* stage[c]
    at,        \* at[c]: the worker the call landed on (0 before it lands)
    toP,       \* toP[w]: messages worker w sent the primary, oldest first
    toW,       \* toW[w]: the primary's answers to worker w
    live,      \* live[w]: live calls of w, as the primary has read them
    granted,   \* granted[w]: places granted to w, not yet settled
    place,     \* ghost: place[c] is TRUE from the grant until the primary reads its release
    refusedBelow \* ghost: a caller was refused while the server was not full

vars == <<stage, at, toP, toW, live, granted, place, refusedBelow>>

Sum(f) == LET RECURSIVE S(_) S(s) == IF s = {} THEN 0 ELSE LET x == CHOOSE x \in s : TRUE IN f[x] + S(s \ {x}) IN S(DOMAIN f)
Count(p(_)) == Cardinality({c \in Calls : p(c)})
Share == (MAX + Cardinality(W) - 1) \div Cardinality(W)
\* What a worker holds itself: calls waiting for their answer, admitted, live.
Own(w) == Count(LAMBDA c : at[c] = w /\ stage[c] \in {"asked", "admitted", "live"})
\* The server is full for caller c: places held, plus other calls asked and not yet granted.
FullFor(c) == Count(LAMBDA d : place[d]) + Count(LAMBDA d : d /= c /\ stage[d] = "asked" /\ ~place[d]) >= MAX

Init ==
    /\ stage = [c \in Calls |-> "new"] /\ at = [c \in Calls |-> 0]
    /\ toP = [w \in W |-> <<>>] /\ toW = [w \in W |-> <<>>]
    /\ live = [w \in W |-> 0] /\ granted = [w \in W |-> 0]
    /\ place = [c \in Calls |-> FALSE] /\ refusedBelow = FALSE

\* A caller lands on worker w; the worker asks the primary, or refuses at its own limit.
Arrive(c, w) ==
    /\ stage[c] = "new"
    /\ at' = [at EXCEPT ![c] = w]
    /\ IF Own(w) >= (IF MUTANT = "share" THEN Share ELSE MAX)
         THEN /\ stage' = [stage EXCEPT ![c] = "refused"]
              /\ refusedBelow' = (refusedBelow \/ ~FullFor(c))
              /\ UNCHANGED toP
         ELSE /\ stage' = [stage EXCEPT ![c] = "asked"]
              /\ toP' = [toP EXCEPT ![w] = Append(@, [t |-> "admit", c |-> c])]
              /\ UNCHANGED refusedBelow
    /\ UNCHANGED <<toW, live, granted, place>>

\* The primary reads worker w's next message.
PrimaryReads(w) ==
    /\ toP[w] /= <<>>
    /\ LET m == Head(toP[w]) IN
       /\ toP' = [toP EXCEPT ![w] = Tail(@)]
       /\ CASE m.t = "admit" ->
                 LET ok == Sum(live) + Sum(granted) < MAX IN
                 /\ toW' = [toW EXCEPT ![w] = Append(@, [t |-> "admitted", c |-> m.c, ok |-> ok])]
                 /\ granted' = IF ok THEN [granted EXCEPT ![w] = @ + 1] ELSE granted
                 /\ place' = IF ok THEN [place EXCEPT ![m.c] = TRUE] ELSE place
                 /\ refusedBelow' = (refusedBelow \/ (~ok /\ ~FullFor(m.c)))
                 /\ UNCHANGED live
            [] m.t = "settle" ->
                 /\ granted' = [granted EXCEPT ![w] = IF @ > 0 THEN @ - 1 ELSE 0]
                 \* The place ends here unless the call is live (then `calls -1` ends it).
                 /\ place' = IF m.live THEN place ELSE [place EXCEPT ![m.c] = FALSE]
                 /\ UNCHANGED <<toW, live, refusedBelow>>
            [] m.t = "calls" ->
                 /\ live' = [live EXCEPT ![w] = @ + m.d]
                 \* A call's start takes over its grant; its end frees its place.
                 /\ granted' = IF m.d > 0 /\ granted[w] > 0 /\ MUTANT /= "plus_keeps_grant"
                                 THEN [granted EXCEPT ![w] = @ - 1] ELSE granted
                 /\ place' = IF m.d < 0 THEN [place EXCEPT ![m.c] = FALSE] ELSE place
                 /\ UNCHANGED <<toW, refusedBelow>>
    /\ UNCHANGED <<stage, at>>

\* Worker w reads the primary's answer.
WorkerReads(w) ==
    /\ toW[w] /= <<>>
    /\ LET m == Head(toW[w]) IN
       /\ toW' = [toW EXCEPT ![w] = Tail(@)]
       /\ IF stage[m.c] = "asked"
            THEN /\ stage' = [stage EXCEPT ![m.c] = IF m.ok THEN "admitted" ELSE "refused"]
                 /\ UNCHANGED toP
            ELSE \* it timed out meanwhile: a yes is settled at once
                 /\ toP' = IF m.ok /\ MUTANT /= "late_yes_kept"
                             THEN [toP EXCEPT ![w] = Append(@, [t |-> "settle", c |-> m.c, live |-> FALSE])]
                             ELSE toP
                 /\ UNCHANGED stage
    /\ UNCHANGED <<at, live, granted, place, refusedBelow>>

\* No answer in time: the caller is refused (503).
TimesOut(c) ==
    /\ stage[c] = "asked"
    /\ stage' = [stage EXCEPT ![c] = "timedout"]
    /\ UNCHANGED <<at, toP, toW, live, granted, place, refusedBelow>>

\* The handshake completes: the call is live and reported (the report takes over the grant).
Attaches(c) ==
    /\ stage[c] = "admitted"
    /\ stage' = [stage EXCEPT ![c] = "live"]
    /\ LET plus == [t |-> "calls", c |-> c, d |-> 1]
           settle == [t |-> "settle", c |-> c, live |-> TRUE]
       IN toP' = [toP EXCEPT ![at[c]] = @ \o (IF MUTANT = "settle_first" THEN <<settle, plus>> ELSE <<plus>>)]
    /\ UNCHANGED <<at, toW, live, granted, place, refusedBelow>>

\* The handshake fails (the caller went away): the place is settled.
Fails(c) ==
    /\ stage[c] = "admitted"
    /\ stage' = [stage EXCEPT ![c] = "failed"]
    /\ toP' = [toP EXCEPT ![at[c]] = Append(@, [t |-> "settle", c |-> c, live |-> FALSE])]
    /\ UNCHANGED <<at, toW, live, granted, place, refusedBelow>>

\* The call ends.
Ends(c) ==
    /\ stage[c] = "live"
    /\ stage' = [stage EXCEPT ![c] = "ended"]
    /\ toP' = [toP EXCEPT ![at[c]] = Append(@, [t |-> "calls", c |-> c, d |-> -1])]
    /\ UNCHANGED <<at, toW, live, granted, place, refusedBelow>>

Next ==
    \/ \E c \in Calls, w \in W : Arrive(c, w)
    \/ \E w \in W : PrimaryReads(w) \/ WorkerReads(w)
    \/ \E c \in Calls : TimesOut(c) \/ Attaches(c) \/ Fails(c) \/ Ends(c)

Spec == Init /\ [][Next]_vars

Quiet == \A w \in W : toP[w] = <<>> /\ toW[w] = <<>>

TypeOK ==
    /\ stage \in [Calls -> Stages] /\ at \in [Calls -> W \cup {0}]
    /\ live \in [W -> Int] /\ granted \in [W -> Nat] /\ place \in [Calls -> BOOLEAN]

\* The promise: never more than MAX calls live on the whole server, wherever they landed.
AD1_LimitHolds == Count(LAMBDA c : stage[c] = "live") <= MAX

\* Nothing leaks: once every message is read, the primary's books are exactly the admitted and
\* live calls, worker by worker.
AD2_NoLeak ==
    Quiet => \A w \in W :
        /\ granted[w] = Count(LAMBDA c : at[c] = w /\ stage[c] = "admitted")
        /\ live[w] = Count(LAMBDA c : at[c] = w /\ stage[c] = "live")

\* The primary's count (live plus granted) is the number of places held, at every moment: it
\* never admits on an undercount, nor refuses on an overcount.
BooksExact == Sum(live) + Sum(granted) = Count(LAMBDA c : place[c])

\* A caller is refused only when the server is full (places held, plus calls asked before it).
AD3_RefusedOnlyWhenFull == ~refusedBelow
=============================================================================
