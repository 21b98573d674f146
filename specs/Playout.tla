------------------------------- MODULE Playout -------------------------------
(***************************************************************************)
(* One call's playout ring between the two threads that touch it           *)
(* (docs/ARCHITECTURE.md#two-threads; specs/PROPERTIES.md PL1–PL5).      *)
(*                                                                         *)
(* JS thread (producer): offers AI chunks tagged (epoch, item) and writes   *)
(* the accepted ones; on barge-in bumps the epoch and asks for a flush to   *)
(* the current write index; drives the generated playout machine, whose    *)
(* configuration is the per-call state word the media thread reads; takes   *)
(* the media thread's reports (the coalesced wake-up) as machine events.    *)
(*                                                                         *)
(* Media thread (consumer): per tick, first executes a pending flush on its *)
(* own side of the ring, then reads chunks (MRead) and stages them into the *)
(* frame being built (MCommit) when the state word allows playout, dropping *)
(* chunks of an older epoch; emits the frame (MEmit) full or padded,        *)
(* counting delivered samples per item; reports a ring run empty. Reading, *)
(* staging and emitting are separate steps because a real frame copy takes *)
(* time, during which the other thread runs.                                *)
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
    CUSHION,    \* chunks the ring must hold beyond the chunk just written before the first frame
    FRAME,      \* chunks (units of audio) per emitted frame
    MUTANT      \* "none", or the bug to re-introduce

ASSUME CAP >= 1 /\ OFFERS >= 1 /\ LOOKAHEAD >= 1 /\ CUSHION >= 0 /\ ITEMS >= 1 /\ FRAME >= 1
ASSUME MUTANT \in {"none", "flush_by_requester", "producer_moves_read", "no_epoch_check",
                   "count_on_write", "flush_to_head", "flush_ack_lost", "credit_first_item",
                   "count_padding"}

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
    inflight,   \* the chunk being read and staged, or NoRead
    staged,     \* units of the frame being built: <<[e, it]>> (call_tick.cc staging_)
    reported,   \* the ring running empty has been reported since the last emit/flush
    delivered,  \* samples delivered per item, as the core counts them (truncation uses this)
    toJs,       \* reports posted to JS, in order (MEDIA_FLUSHED, MEDIA_DRAINED)
    \* memory shared by both
    slots,      \* the ring: slot i holds [idx, e, it]; idx is a ghost tag for checking
    \* history, read only by the properties
    emitted,    \* samples of each item in the frames that left (ground truth)
    lastOut,    \* last emitted chunk's epoch and the epoch current when it was emitted
    barrier     \* highest flush-to index the media thread has executed

vars == <<pst, queued, w, epoch, item, offered, refused, flushTo, freq,
          r, fack, inflight, staged, reported, delivered, toJs, slots, emitted, lastOut, barrier>>
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
    \* machines/playout.ts: the lookahead queued, and the cushion beyond the chunk just written
    CASE name = "lookaheadReached"  -> e.buffered >= LOOKAHEAD /\ e.buffered - e.chunk >= CUSHION
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
    /\ staged = <<>>
    /\ reported = FALSE
    /\ delivered = [i \in Items |-> 0]
    /\ emitted = [i \in Items |-> 0]
    /\ toJs = <<>>
    /\ slots = [s \in 0..(CAP - 1) |-> Empty]
    /\ lastOut = [e |-> 0, cur |-> 0]
    /\ barrier = 0

(***************************************************************************)
(* The ring's operations (native/src/core/ring/chunk_ring.h), each giving  *)
(* the new value of the shared words [r, w, slots, flushTo]. A thread's    *)
(* action applies the operations of its role wholesale (SetRing): whatever *)
(* word an operation writes, that thread writes, so PL1 checks the         *)
(* operations' logic in every reachable state, full ring included.         *)
(***************************************************************************)
Ring == [r |-> r, w |-> w, slots |-> slots, flushTo |-> flushTo]
SetRing(g) == r' = g.r /\ w' = g.w /\ slots' = g.slots /\ flushTo' = g.flushTo

\* [producer] try_write: store c at the write index and publish it (release); refused when
\* full. The bug (producer_moves_read): drop-oldest, the producer advances r to make room.
TryWrite(g, c) ==
    LET put == [g EXCEPT !.w = g.w + 1, !.slots = [g.slots EXCEPT ![Slot(g.w + 1)] = c]] IN
    IF g.w - g.r < CAP THEN put
    ELSE IF MUTANT = "producer_moves_read" THEN [put EXCEPT !.r = g.r + 1]
    ELSE g

\* [requester] request_flush: name the current write index. The bug (flush_by_requester):
\* the requester moves the read index itself.
RequestFlush(g) ==
    IF MUTANT = "flush_by_requester" THEN [g EXCEPT !.flushTo = g.w, !.r = Max(g.r, g.w)]
    ELSE [g EXCEPT !.flushTo = g.w]

\* [consumer] execute_pending_flush: the read index to the requested index (bug: to the head).
FlushTarget(g) == IF MUTANT = "flush_to_head" THEN g.w ELSE g.flushTo
ExecuteFlush(g) == [g EXCEPT !.r = Max(g.r, FlushTarget(g))]

\* [consumer] read_piece: index i consumed.
Consume(g, i) == [g EXCEPT !.r = i]

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)

\* An AI chunk arrives: of the current response, or a late delta of the one a barge-in
\* cancelled (older epoch). Written when the state word accepts it, its epoch is current and
\* the ring takes it; otherwise refused and counted.
Offer ==
    /\ offered < OFFERS
    /\ offered' = offered + 1
    /\ \E ce \in (IF epoch > 0 THEN {epoch - 1, epoch} ELSE {0}) :
         LET c == [idx |-> w + 1, e |-> ce, it |-> item]
             g == TryWrite(Ring, c) IN
         IF \/ ~PM!HasTag(pst, "media.accept")
            \/ ce < epoch /\ MUTANT /= "no_epoch_check"          \* PL3: epoch filter on write
            \/ g.w = w                                           \* PL4: full, refused
           THEN /\ refused' = refused + 1
                /\ UNCHANGED <<pst, queued, w, slots, delivered, r, flushTo>>
           ELSE /\ SetRing(g)
                /\ Machine([type |-> "WRITE", buffered |-> g.w - g.r, chunk |-> 1])
                /\ delivered' = IF MUTANT = "count_on_write"
                                  THEN [delivered EXCEPT ![c.it] = @ + 1] ELSE delivered
                /\ UNCHANGED refused
    /\ UNCHANGED <<epoch, item, freq, fack, inflight, staged, reported, toJs,
                   emitted, lastOut, barrier>>

\* The AI moves on to its next item.
NextItem ==
    /\ item < ITEMS
    /\ item' = item + 1
    /\ UNCHANGED <<pst, queued, w, epoch, offered, refused, flushTo, freq,
                   r, fack, inflight, staged, reported, delivered, toJs, slots, emitted, lastOut,
                   barrier>>

\* Barge-in: bump the epoch (every older chunk is now stale) and, when the machine asks
\* for it, request a flush to the current write index.
BargeIn ==
    LET e == [type |-> "FLUSH"]
        g == RequestFlush(Ring) IN
    /\ epoch < EPOCHS
    /\ epoch' = epoch + 1
    /\ Machine(e)
    /\ IF ~PM!Runs(pst, e, G, "requestFlush")
         THEN UNCHANGED <<flushTo, freq, r, fack, toJs, barrier, reported>>
       ELSE IF MUTANT = "flush_by_requester"
         \* bug: the JS thread moves the read index itself and acknowledges at once
         THEN /\ SetRing(g) /\ freq' = freq + 1
              /\ barrier' = Max(barrier, w)
              /\ fack' = freq + 1
              /\ toJs' = Append(toJs, [type |-> "MEDIA_FLUSHED"])
              /\ UNCHANGED reported
         ELSE /\ SetRing(g) /\ freq' = freq + 1
              /\ UNCHANGED <<fack, toJs, barrier, reported>>
    /\ UNCHANGED <<w, slots, item, offered, refused, inflight, staged, delivered, emitted, lastOut>>

\* The response has no more audio: play what is buffered.
EndOfResponse ==
    LET e == [type |-> "END_OF_RESPONSE"] IN
    /\ e.type \in PM!Handles(pst)
    /\ Machine(e)
    /\ UNCHANGED <<w, epoch, item, offered, refused, flushTo, freq,
                   r, fack, inflight, staged, reported, delivered, toJs, slots, emitted, lastOut,
                   barrier>>

\* The coalesced wake-up: JS takes the media thread's oldest report.
Deliver ==
    /\ toJs /= <<>>
    /\ Machine(Head(toJs))
    /\ toJs' = Tail(toJs)
    /\ UNCHANGED <<w, epoch, item, offered, refused, flushTo, freq,
                   r, fack, inflight, staged, reported, delivered, slots, emitted, lastOut, barrier>>

\* Hang-up or stop, at any moment.
Close ==
    /\ pst \notin PM!Done
    /\ Machine([type |-> "CLOSE"])
    /\ UNCHANGED <<w, epoch, item, offered, refused, flushTo, freq,
                   r, fack, inflight, staged, reported, delivered, toJs, slots, emitted, lastOut,
                   barrier>>

JSNext == Offer \/ NextItem \/ BargeIn \/ EndOfResponse \/ Deliver \/ Close

(***************************************************************************)
(* Media thread                                                            *)
(*                                                                         *)
(* A frame holds FRAME units; a chunk is one unit. The media thread stages *)
(* chunks into the frame being built (call_tick.cc fill_staging, its        *)
(* segments: runs of one epoch and item), so one frame may carry the end   *)
(* of one item and the start of the next; a short tail is padded with      *)
(* silence when the ring has run empty. Emission drops the stale part of   *)
(* the staging first (emit_frame), and counts delivered per segment.       *)
(***************************************************************************)

Stale(u) == u.e < epoch /\ MUTANT /= "no_epoch_check"
Fresh(s) == SelectSeq(s, LAMBDA u : ~Stale(u))

\* Start of a tick: execute every pending flush on the consumer's side, to the index the
\* request named (flush-to-index), drop the stale part of the staging, and acknowledge.
MFlush ==
    /\ fack < freq
    /\ inflight = NoRead
    /\ SetRing(ExecuteFlush(Ring))
    /\ barrier' = Max(barrier, FlushTarget(Ring))
    /\ staged' = Fresh(staged)
    /\ fack' = freq
    /\ reported' = FALSE
    \* bug: a flush with nothing left to discard is not acknowledged
    /\ toJs' = IF MUTANT = "flush_ack_lost" /\ flushTo <= r THEN toJs
               ELSE Append(toJs, [type |-> "MEDIA_FLUSHED"])
    /\ UNCHANGED <<pst, queued, epoch, item, offered, refused, freq, inflight, delivered,
                   emitted, lastOut>>

\* Take the next chunk (acquire of w), when playout is allowed and the frame being built has
\* room. A flush requested during a tick waits for the next tick (call_tick.cc executes flushes
\* at a tick's start): the tick under way may go on reading, its older-epoch chunks dropped by
\* the epoch filter (MCommit), so no guard on a pending flush here (the code, not the old model).
MRead ==
    /\ inflight = NoRead
    /\ PM!HasTag(pst, "media.playout")
    /\ r < w /\ Len(staged) < FRAME
    /\ inflight' = [idx |-> r + 1, c |-> slots[Slot(r + 1)]]
    /\ UNCHANGED <<jsVars, r, fack, staged, reported, delivered, toJs, slots, emitted, lastOut,
                   barrier>>

\* Stage the chunk read (re-checking the state word and the epoch word), publish r (release).
MCommit ==
    LET c == inflight.c IN
    /\ inflight /= NoRead
    /\ inflight' = NoRead
    /\ CASE ~PM!HasTag(pst, "media.playout") ->                 \* abandoned: read again later
              UNCHANGED <<r, staged>>
         [] Stale(c) ->                                          \* PL3: epoch filter on read
              /\ r' = Consume(Ring, inflight.idx).r
              /\ UNCHANGED staged
         [] OTHER ->
              /\ r' = Consume(Ring, inflight.idx).r
              /\ staged' = Append(staged, [e |-> c.e, it |-> c.it])
    /\ UNCHANGED <<jsVars, fack, reported, delivered, emitted, lastOut, toJs, slots, barrier>>

\* Units of item i in a sequence of units.
Count(s, i) == Len(SelectSeq(s, LAMBDA u : u.it = i))
RECURSIVE MinEp(_)
MinEp(s) == IF Len(s) = 1 THEN s[1].e ELSE LET m == MinEp(Tail(s)) IN IF s[1].e < m THEN s[1].e ELSE m
\* The staging's segments (runs of one epoch and item), as fill_staging builds them.
RECURSIVE Segs(_)
Segs(s) ==
    IF s = <<>> THEN <<>>
    ELSE LET rest == Segs(Tail(s)) IN
         IF rest /= <<>> /\ rest[1].e = s[1].e /\ rest[1].it = s[1].it
           THEN <<[rest[1] EXCEPT !.n = @ + 1]>> \o Tail(rest)
           ELSE <<[e |-> s[1].e, it |-> s[1].it, n |-> 1]>> \o rest
\* Delivered after a frame of segments sg with pad units of silence: per segment, on emit
\* (PL5). The bugs: all the frame's samples credited to the item in its header (the first
\* segment's), or the padding counted as delivered audio.
RECURSIVE AddSegs(_, _)
AddSegs(d, sg) == IF sg = <<>> THEN d
                  ELSE AddSegs([d EXCEPT ![sg[1].it] = @ + sg[1].n], Tail(sg))
DeliveredAfter(d, sg, pad) ==
    CASE MUTANT = "count_on_write"    -> d
      [] MUTANT = "credit_first_item" ->
            [d EXCEPT ![sg[1].it] = @ + FRAME - pad]
      [] MUTANT = "count_padding"     -> [AddSegs(d, sg) EXCEPT ![sg[1].it] = @ + pad]
      [] OTHER                        -> AddSegs(d, sg)

\* Emit the frame: full, or a short tail padded with silence once the ring ran empty. The
\* stale part is dropped first (an epoch bump since staging); what is left waits for the next
\* emission step. The far side gets each unit of the frame (emitted, per item).
MEmit ==
    /\ inflight = NoRead
    /\ PM!HasTag(pst, "media.playout")
    /\ staged /= <<>>
    /\ Len(staged) = FRAME \/ r = w
    /\ IF Fresh(staged) /= staged
         THEN /\ staged' = Fresh(staged)
              /\ UNCHANGED <<delivered, emitted, lastOut, reported>>
         ELSE /\ staged' = <<>>
              /\ emitted' = [i \in Items |-> emitted[i] + Count(staged, i)]
              /\ delivered' = DeliveredAfter(delivered, Segs(staged), FRAME - Len(staged))
              /\ lastOut' = [e |-> MinEp(staged), cur |-> epoch]
              /\ reported' = FALSE
    /\ UNCHANGED <<jsVars, r, fack, inflight, toJs, slots, barrier>>

\* The ring and the staging ran empty while playing: report where (the read index), once.
MDrained ==
    /\ inflight = NoRead
    /\ fack = freq
    /\ ~reported
    /\ PM!HasTag(pst, "media.playout")
    /\ r = w /\ staged = <<>>
    /\ reported' = TRUE
    /\ toJs' = Append(toJs, [type |-> "MEDIA_DRAINED", at |-> r])
    /\ UNCHANGED <<jsVars, r, fack, inflight, staged, delivered, slots, emitted, lastOut, barrier>>

MediaNext == MFlush \/ MRead \/ MCommit \/ MEmit \/ MDrained

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
\* Each thread's actions write the ring words its ring operations return (SetRing), so this
\* fails if any producer or requester operation moves r in some reachable state.
PL1_IndexOwnership ==
    [][ /\ JSNext => r' = r
        /\ MediaNext => w' = w ]_vars

\* PL2: a requested flush is executed by the consumer, on its own side (reads of the tick under
\* way may come first: they drop what the epoch filter marks stale), to the index the request
\* named: afterwards no chunk written before the request is read, and no chunk written after it
\* is thrown away.
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

\* PL5: the delivered-sample count of every item (the core's accounting, per segment of each
\* frame) equals the audio of that item in the frames that left, unit by unit, with frames
\* that carry two items and padded short tails.
PL5_DeliveredIsEmitted ==
    delivered = emitted

=============================================================================
