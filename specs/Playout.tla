------------------------------- MODULE Playout -------------------------------
(***************************************************************************)
(* One call's playout ring between the two threads that touch it           *)
(* (DESIGN §2, §2.2; PROPERTIES.md PL1–PL5).                                *)
(*                                                                         *)
(* JS thread (producer): offers AI chunks tagged (epoch, item) and writes   *)
(* the accepted ones; on barge-in bumps the epoch and asks for a flush to   *)
(* the current write index; drives the generated playout machine, whose    *)
(* configuration is the per-call state word the media thread reads; takes   *)
(* the media thread's reports (the coalesced wake-up) as machine events.    *)
(*                                                                         *)
(* Media thread (consumer): per tick, first executes a pending flush on its *)
(* own side of the ring, then reads one chunk (MRead) and emits it          *)
(* (MCommit) when the state word allows playout, dropping chunks of an      *)
(* older epoch and counting delivered samples per item; reports a ring run  *)
(* empty. Reading and emitting are separate steps because a real frame copy *)
(* takes time, during which the other thread runs.                          *)
(*                                                                         *)
(* MUTANT re-introduces one original bug (specs/mutants/Playout_*.cfg).     *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS
    CAP,        \* ring capacity, in chunks
    OFFERS,     \* chunks the AI offers over the call (bounds the model)
    EPOCHS,     \* barge-ins the caller makes
    ITEMS,      \* AI items over the call
    LOOKAHEAD,  \* chunks buffered before the first frame
    MUTANT      \* "none", or the bug to re-introduce

ASSUME CAP >= 1 /\ OFFERS >= 1 /\ LOOKAHEAD >= 1 /\ ITEMS >= 1
ASSUME MUTANT \in {"none", "flush_by_requester", "producer_moves_read", "no_epoch_check",
                   "count_on_write", "flush_to_head", "flush_ack_lost"}

VARIABLES
    \* JS thread
    pst,        \* playout machine configuration = the per-call state word
    queued,     \* machine context: queuedDuringFlush
    w,          \* write index, free-running (owned by JS)
    epoch,      \* playout epoch word (written by JS, read by media)
    item,       \* AI item currently producing audio
    offered,    \* chunks offered so far
    refused,    \* offers refused: ring full, older epoch, or writes forbidden (counted)
    flushTo,    \* flush-to index of the latest request (written by JS, read by media)
    freq,       \* flush requests posted
    \* media thread
    r,          \* read index, free-running (owned by media)
    fack,       \* flush requests executed
    inflight,   \* the chunk being read and emitted, or NoRead
    reported,   \* the ring running empty has been reported since the last emit/flush
    delivered,  \* samples delivered per item, as the core counts them (truncation uses this)
    toJs,       \* reports posted to JS, in order (MEDIA_FLUSHED, MEDIA_DRAINED)
    \* memory shared by both
    slots,      \* the ring: slot i holds [idx, e, it]; idx is a ghost tag for checking
    \* history, read only by the properties
    emitted,    \* samples actually emitted per item
    lastOut,    \* last emitted chunk's epoch and the epoch current when it was emitted
    barrier     \* highest flush-to index the media thread has executed

vars == <<pst, queued, w, epoch, item, offered, refused, flushTo, freq,
          r, fack, inflight, reported, delivered, toJs, slots, emitted, lastOut, barrier>>
jsVars == <<pst, queued, w, epoch, item, offered, refused, flushTo, freq>>

Max(a, b) == IF a >= b THEN a ELSE b
Items == 1..ITEMS
Epochs == 0..EPOCHS
Empty == [idx |-> 0, e |-> 0, it |-> 0]
NoRead == [idx |-> 0, c |-> Empty]
Slot(i) == (i - 1) % CAP            \* the slot of free-running index i (1-based)

(***************************************************************************)
(* The generated machine, with the meaning of its guards.                  *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "lookaheadReached"  -> e.buffered >= LOOKAHEAD
      [] name = "caughtUp"          -> e.at = w
      [] name = "queuedDuringFlush" -> queued

PM == INSTANCE PlayoutMachine WITH state <- pst
\* Every machine name written by hand below exists in PlayoutMachine (a rename breaks the spec).
ASSUME PM!KnownStates({"flushing"})
    /\ PM!KnownTags({"media.accept", "media.playout"})
    /\ PM!KnownEvents({"CLOSE", "END_OF_RESPONSE", "FLUSH", "MEDIA_DRAINED", "MEDIA_FLUSHED", "WRITE"})
    /\ PM!KnownActions({"clearQueuedDuringFlush", "noteQueuedDuringFlush", "requestFlush"})
    /\ PM!KnownGuards({"caughtUp", "lookaheadReached", "queuedDuringFlush"})


\* Feed event e to the machine; keep the context it assigns.
Machine(e) ==
    /\ pst' = PM!Next(pst, e, G)
    /\ queued' = IF PM!Runs(pst, e, G, "noteQueuedDuringFlush") THEN TRUE
                 ELSE IF PM!Runs(pst, e, G, "clearQueuedDuringFlush") THEN FALSE
                 ELSE queued

Init ==
    /\ PM!Init
    /\ queued = FALSE
    /\ w = 0 /\ r = 0
    /\ epoch = 0 /\ item = 1
    /\ offered = 0 /\ refused = 0
    /\ flushTo = 0 /\ freq = 0 /\ fack = 0
    /\ inflight = NoRead
    /\ reported = FALSE
    /\ delivered = [i \in Items |-> 0]
    /\ emitted = [i \in Items |-> 0]
    /\ toJs = <<>>
    /\ slots = [s \in 0..(CAP - 1) |-> Empty]
    /\ lastOut = [e |-> 0, cur |-> 0]
    /\ barrier = 0

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)

\* Store chunk c at the write index and publish it (release); tell the machine.
WriteChunk(c) ==
    /\ slots' = [slots EXCEPT ![Slot(w + 1)] = c]
    /\ w' = w + 1
    /\ Machine([type |-> "WRITE", buffered |-> w + 1 - r])
    /\ delivered' = IF MUTANT = "count_on_write"
                      THEN [delivered EXCEPT ![c.it] = @ + 1] ELSE delivered

\* An AI chunk arrives: of the current response, or a late delta of the one a barge-in
\* cancelled (older epoch).
Offer ==
    /\ offered < OFFERS
    /\ offered' = offered + 1
    /\ \E ce \in (IF epoch > 0 THEN {epoch - 1, epoch} ELSE {0}) :
         LET c == [idx |-> w + 1, e |-> ce, it |-> item] IN
         CASE ~PM!HasTag(pst, "media.accept") ->
                  /\ refused' = refused + 1
                  /\ UNCHANGED <<pst, queued, w, slots, delivered, r>>
           [] ce < epoch /\ MUTANT /= "no_epoch_check" ->     \* PL3: epoch filter on write
                  /\ refused' = refused + 1
                  /\ UNCHANGED <<pst, queued, w, slots, delivered, r>>
           [] w - r >= CAP /\ MUTANT = "producer_moves_read" ->   \* bug: drop-oldest
                  /\ r' = r + 1
                  /\ WriteChunk(c)
                  /\ UNCHANGED refused
           [] w - r >= CAP ->                                    \* PL4: refuse, count
                  /\ refused' = refused + 1
                  /\ UNCHANGED <<pst, queued, w, slots, delivered, r>>
           [] OTHER ->
                  /\ WriteChunk(c)
                  /\ UNCHANGED <<refused, r>>
    /\ UNCHANGED <<epoch, item, flushTo, freq, fack, inflight, reported, toJs,
                   emitted, lastOut, barrier>>

\* The AI moves on to its next item.
NextItem ==
    /\ item < ITEMS
    /\ item' = item + 1
    /\ UNCHANGED <<pst, queued, w, epoch, offered, refused, flushTo, freq,
                   r, fack, inflight, reported, delivered, toJs, slots, emitted, lastOut, barrier>>

\* Barge-in: bump the epoch (every older chunk is now stale) and, when the machine asks
\* for it, request a flush to the current write index.
BargeIn ==
    LET e == [type |-> "FLUSH"] IN
    /\ epoch < EPOCHS
    /\ epoch' = epoch + 1
    /\ Machine(e)
    /\ IF ~PM!Runs(pst, e, G, "requestFlush")
         THEN UNCHANGED <<flushTo, freq, r, fack, toJs, barrier, reported>>
       ELSE IF MUTANT = "flush_by_requester"
         \* bug: the JS thread moves the read index itself and acknowledges at once
         THEN /\ flushTo' = w /\ freq' = freq + 1
              /\ r' = Max(r, w) /\ barrier' = Max(barrier, w)
              /\ fack' = freq + 1
              /\ toJs' = Append(toJs, [type |-> "MEDIA_FLUSHED"])
              /\ UNCHANGED reported
         ELSE /\ flushTo' = w /\ freq' = freq + 1
              /\ UNCHANGED <<r, fack, toJs, barrier, reported>>
    /\ UNCHANGED <<w, item, offered, refused, inflight, delivered, slots, emitted, lastOut>>

\* The response has no more audio: play what is buffered.
EndOfResponse ==
    LET e == [type |-> "END_OF_RESPONSE"] IN
    /\ e.type \in PM!Handles(pst)
    /\ Machine(e)
    /\ UNCHANGED <<w, epoch, item, offered, refused, flushTo, freq,
                   r, fack, inflight, reported, delivered, toJs, slots, emitted, lastOut, barrier>>

\* The coalesced wake-up: JS takes the media thread's oldest report.
Deliver ==
    /\ toJs /= <<>>
    /\ Machine(Head(toJs))
    /\ toJs' = Tail(toJs)
    /\ UNCHANGED <<w, epoch, item, offered, refused, flushTo, freq,
                   r, fack, inflight, reported, delivered, slots, emitted, lastOut, barrier>>

\* Hang-up or stop, at any moment.
Close ==
    /\ pst \notin PM!Done
    /\ Machine([type |-> "CLOSE"])
    /\ UNCHANGED <<w, epoch, item, offered, refused, flushTo, freq,
                   r, fack, inflight, reported, delivered, toJs, slots, emitted, lastOut, barrier>>

JSNext == Offer \/ NextItem \/ BargeIn \/ EndOfResponse \/ Deliver \/ Close

(***************************************************************************)
(* Media thread                                                            *)
(***************************************************************************)

\* Start of a tick: execute every pending flush on the consumer's side, to the index the
\* request named (flush-to-index), and acknowledge.
MFlush ==
    /\ fack < freq
    /\ inflight = NoRead
    /\ LET to == IF MUTANT = "flush_to_head" THEN w ELSE flushTo IN   \* bug: flush to head
       /\ r' = Max(r, to)
       /\ barrier' = Max(barrier, to)
    /\ fack' = freq
    /\ reported' = FALSE
    \* bug: a flush with nothing left to discard is not acknowledged
    /\ toJs' = IF MUTANT = "flush_ack_lost" /\ flushTo <= r THEN toJs
               ELSE Append(toJs, [type |-> "MEDIA_FLUSHED"])
    /\ UNCHANGED <<jsVars, inflight, delivered, slots, emitted, lastOut>>

\* Take the next chunk (acquire of w), when no flush is pending and playout is allowed.
MRead ==
    /\ inflight = NoRead
    /\ fack = freq
    /\ PM!HasTag(pst, "media.playout")
    /\ r < w
    /\ inflight' = [idx |-> r + 1, c |-> slots[Slot(r + 1)]]
    /\ UNCHANGED <<jsVars, r, fack, reported, delivered, toJs, slots, emitted, lastOut, barrier>>

\* Emit the chunk read (re-checking the state word and the epoch word), publish r (release).
MCommit ==
    LET c == inflight.c IN
    /\ inflight /= NoRead
    /\ inflight' = NoRead
    /\ CASE ~PM!HasTag(pst, "media.playout") ->                 \* abandoned: read again later
              UNCHANGED <<r, delivered, emitted, lastOut, reported>>
         [] c.e < epoch /\ MUTANT /= "no_epoch_check" ->          \* PL3: epoch filter on read
              /\ r' = inflight.idx
              /\ UNCHANGED <<delivered, emitted, lastOut, reported>>
         [] OTHER ->
              /\ r' = inflight.idx
              /\ emitted' = [emitted EXCEPT ![c.it] = @ + 1]
              /\ delivered' = IF MUTANT = "count_on_write" THEN delivered
                              ELSE [delivered EXCEPT ![c.it] = @ + 1]
              /\ lastOut' = [e |-> c.e, cur |-> epoch]
              /\ reported' = FALSE
    /\ UNCHANGED <<jsVars, fack, toJs, slots, barrier>>

\* The ring ran empty while playing: report where (the read index), once.
MDrained ==
    /\ inflight = NoRead
    /\ fack = freq
    /\ ~reported
    /\ PM!HasTag(pst, "media.playout")
    /\ r = w
    /\ reported' = TRUE
    /\ toJs' = Append(toJs, [type |-> "MEDIA_DRAINED", at |-> r])
    /\ UNCHANGED <<jsVars, r, fack, inflight, delivered, slots, emitted, lastOut, barrier>>

MediaNext == MFlush \/ MRead \/ MCommit \/ MDrained

\* The call is over and both threads are quiet: the only state allowed to have no successor.
Finished ==
    /\ pst \in PM!Done
    /\ toJs = <<>> /\ inflight = NoRead /\ fack = freq /\ offered = OFFERS
    /\ UNCHANGED vars

Next == JSNext \/ MediaNext \/ Finished

Spec == Init /\ [][Next]_vars

\* The media thread ticks and JS takes its wake-ups whenever they can; JS itself owes nothing
\* (it may never write, barge in or close).
LiveSpec == Spec /\ WF_vars(MediaNext) /\ WF_vars(Deliver)

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)

TypeOK ==
    /\ PM!TypeOK
    /\ w \in 0..OFFERS /\ r \in 0..OFFERS
    /\ epoch \in Epochs /\ item \in Items
    /\ inflight.idx \in 0..OFFERS
    /\ \A i \in Items : delivered[i] \in 0..OFFERS /\ emitted[i] \in 0..OFFERS

\* PL1: only the media thread moves the read index; only the JS thread moves the write index.
PL1_IndexOwnership ==
    [][ /\ JSNext => r' = r
        /\ MediaNext => w' = w ]_vars

\* PL2: a requested flush is executed by the consumer, at its next tick (MFlush runs before
\* any read), to the index the request named: afterwards no chunk written before the request
\* is read, and no chunk written after it is thrown away.
PL2_NoReadBehindFlush ==
    /\ r >= barrier
    /\ inflight /= NoRead => inflight.idx > barrier
PL2_FlushToRequestedIndex ==
    barrier <= flushTo

\* PL3: no chunk of an epoch older than the current one is ever emitted.
PL3_NoStaleEmit ==
    lastOut.e >= lastOut.cur

\* PL4: the producer never overwrites unread data (every unread index, and the one being
\* read, still holds its own chunk); overflow is refused and counted.
PL4_NoOverwrite ==
    /\ w - r <= CAP
    /\ \A i \in (r + 1)..w : slots[Slot(i)].idx = i
    /\ inflight /= NoRead => slots[Slot(inflight.idx)].idx = inflight.idx
PL4_OverflowCounted ==
    offered = w + refused

\* PL2 (liveness, under LiveSpec): a flush the machine waits for is always acknowledged, so
\* JS never stays in flushing.
PL2_FlushCompletes ==
    (pst = "flushing") ~> (pst /= "flushing")

\* PL5: the delivered-sample count of every item equals what was actually emitted of it.
PL5_DeliveredIsEmitted ==
    delivered = emitted

=============================================================================
