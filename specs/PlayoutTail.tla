----------------------------- MODULE PlayoutTail -----------------------------
(***************************************************************************)
(* PL6: no padding inside a response's audio while more of it is expected  *)
(* (specs/PROPERTIES.md#pl6; docs/ARCHITECTURE.md#audio-paths).            *)
(*                                                                         *)
(* One response's audio, in units smaller than a frame, reaches the ring   *)
(* at any pace (a provider at about real time: the far side may play out   *)
(* everything Parley sent before the next unit arrives). The media thread  *)
(* emits whole frames while it is ahead of the far side by less than LEAD  *)
(* frames; a short last frame may be padded with silence only in a state   *)
(* tagged media.tail. JS sends END_OF_RESPONSE once the response's last    *)
(* unit is written (response done and the backlog empty), re-reporting a   *)
(* ring already dry, and pads the mod_audio_stream module's tail only once *)
(* the playout machine reached drained.                                    *)
(*                                                                         *)
(* MUTANT re-introduces one bug (specs/mutants/PlayoutTail_*.cfg).         *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS
    UNITS,      \* units of audio in the response (a frame is FRAME units)
    FRAME,      \* units per frame
    LEAD,       \* frames the media thread may be ahead of the far side
    LOOKAHEAD,  \* units buffered before the first frame
    CUSHION,    \* units the ring must hold beyond the unit just written before the first frame
    MUTANT      \* "none", "pad_on_underrun", "end_before_written", "module_pad_on_drain"

ASSUME UNITS >= 1 /\ FRAME >= 2 /\ LEAD >= 1 /\ LOOKAHEAD >= 1 /\ CUSHION >= 0
ASSUME MUTANT \in {"none", "pad_on_underrun", "end_before_written", "module_pad_on_drain"}

VARIABLES
    pst,        \* playout machine configuration = the per-call state word
    written,    \* units JS wrote into the ring
    ended,      \* JS sent END_OF_RESPONSE
    taken,      \* units the media thread took out of the ring into its staging frame
    staged,     \* units in the staging frame
    lead,       \* frames sent and not yet played by the far side
    emitted,    \* units of audio emitted
    reported,   \* the ring running dry was reported since the last emit
    toJs,       \* the media thread's reports, in order
    padded,     \* padded frames (media thread) and silence pushes (JS) so far
    padLive     \* history: a pad happened while the response still had audio to come

vars == <<pst, written, ended, taken, staged, lead, emitted, reported, toJs, padded, padLive>>

G(name, e, p) ==
    \* machines/playout.ts: the lookahead queued, and the cushion beyond the unit just written
    CASE name = "lookaheadReached"  -> e.buffered >= LOOKAHEAD /\ e.buffered - e.chunk >= CUSHION
      [] name = "caughtUp"          -> e.at = written
      [] name = "queuedDuringFlush" -> FALSE

PM == INSTANCE PlayoutMachine WITH state <- pst

\* Every state this spec names by hand exists in the generated machine.
ASSUME {"playing", "finishing", "drained"} \subseteq PM!States

Live == written < UNITS      \* more of the response's audio is still to come

Init ==
    /\ PM!Init
    /\ written = 0 /\ ended = FALSE
    /\ taken = 0 /\ staged = 0 /\ lead = 0 /\ emitted = 0
    /\ reported = FALSE /\ toJs = <<>>
    /\ padded = 0 /\ padLive = FALSE

(* JS thread *)

\* A unit of the response arrives and is written.
Write ==
    /\ written < UNITS
    /\ written' = written + 1
    /\ pst' = PM!Next(pst, [type |-> "WRITE", buffered |-> written + 1 - taken, chunk |-> 1], G)
    /\ UNCHANGED <<ended, taken, staged, lead, emitted, reported, toJs, padded, padLive>>

\* The response is done and its last unit is in the ring: END_OF_RESPONSE, plus the drain
\* again when the ring is already dry (the media thread reports a drain only once).
End ==
    /\ ~ended
    /\ written = UNITS \/ MUTANT = "end_before_written"        \* bug: on response.done alone
    /\ ended' = TRUE
    /\ LET p1 == PM!Next(pst, [type |-> "END_OF_RESPONSE"], G)
           dry == reported /\ taken = written /\ staged = 0
       IN pst' = IF dry THEN PM!Next(p1, [type |-> "MEDIA_DRAINED", at |-> written], G) ELSE p1
    /\ UNCHANGED <<written, taken, staged, lead, emitted, reported, toJs, padded, padLive>>

\* The coalesced wake-up: JS takes the oldest report; on a drain it pushes the module's tail
\* past its minimum fill, only once the machine says the response has ended.
Deliver ==
    /\ toJs /= <<>>
    /\ LET e == Head(toJs)
           next == PM!Next(pst, e, G)
           pad == next = "drained" \/ MUTANT = "module_pad_on_drain"
       IN /\ pst' = next
          /\ padded' = IF pad THEN padded + 1 ELSE padded
          /\ padLive' = (padLive \/ (pad /\ Live))
    /\ toJs' = Tail(toJs)
    /\ UNCHANGED <<written, ended, taken, staged, lead, emitted, reported>>

(* Media thread *)

\* One emission: fill the staging frame from the ring, emit it whole, or pad a short tail when
\* the response is complete (the state allows it), at once.
Emit ==
    /\ PM!HasTag(pst, "media.playout")
    /\ lead < LEAD
    /\ LET fill == IF staged + (written - taken) >= FRAME THEN FRAME ELSE staged + (written - taken)
           mayPad == PM!HasTag(pst, "media.tail") \/ MUTANT = "pad_on_underrun"
       IN \/ /\ fill = FRAME
             /\ taken' = taken + (FRAME - staged)
             /\ staged' = 0
             /\ emitted' = emitted + FRAME
             /\ UNCHANGED <<padded, padLive>>
          \/ /\ fill > 0 /\ fill < FRAME /\ mayPad   \* at once: not held until the far side runs dry
             /\ taken' = written
             /\ staged' = 0
             /\ emitted' = emitted + fill
             /\ padded' = padded + 1
             /\ padLive' = (padLive \/ Live)
    /\ lead' = lead + 1
    /\ reported' = FALSE
    /\ UNCHANGED <<pst, written, ended, toJs>>

\* The ring ran dry after an emit: report it once, with the read position.
Drained ==
    /\ PM!HasTag(pst, "media.playout")
    /\ ~reported /\ emitted > 0
    /\ taken = written /\ staged = 0
    /\ reported' = TRUE
    /\ toJs' = Append(toJs, [type |-> "MEDIA_DRAINED", at |-> written])
    /\ UNCHANGED <<pst, written, ended, taken, staged, lead, emitted, padded, padLive>>

\* A short frame waits in the staging area (the media thread holds units it took).
Stage ==
    /\ PM!HasTag(pst, "media.playout")
    /\ staged + (written - taken) < FRAME /\ written > taken
    /\ staged' = staged + (written - taken)
    /\ taken' = written
    /\ UNCHANGED <<pst, written, ended, lead, emitted, reported, toJs, padded, padLive>>

(* The far side *)

\* Time passes: the far side plays one frame of what Parley sent ahead.
Play ==
    /\ lead > 0
    /\ lead' = lead - 1
    /\ UNCHANGED <<pst, written, ended, taken, staged, emitted, reported, toJs, padded, padLive>>

\* Everything is played and reported: the only state without a successor.
Finished ==
    /\ ended /\ toJs = <<>> /\ lead = 0 /\ emitted = UNITS /\ pst = "drained"
    /\ UNCHANGED vars

Next == Write \/ End \/ Deliver \/ Emit \/ Drained \/ Stage \/ Play \/ Finished

Spec == Init /\ [][Next]_vars
LiveSpec == Spec /\ WF_vars(Write) /\ WF_vars(End) /\ WF_vars(Deliver) /\ WF_vars(Emit)
                 /\ WF_vars(Drained) /\ WF_vars(Stage) /\ WF_vars(Play)

TypeOK ==
    /\ PM!TypeOK
    /\ written \in 0..UNITS /\ taken \in 0..written /\ staged \in 0..(FRAME - 1)
    /\ lead \in 0..LEAD /\ emitted \in 0..UNITS /\ ended \in BOOLEAN

\* PL6: no silence is inserted into a response's audio while more of it is still expected —
\* neither by the media thread (a padded short frame) nor by JS (the module's tail push).
PL6_NoPadWhileLive == ~padLive

\* PL6 (progress): the response's audio is all heard, its short tail included, and the
\* machine learns the agent has finished.
PL6_TailPlays == <>(emitted = UNITS /\ pst = "drained")
=============================================================================
