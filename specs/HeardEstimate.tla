--------------------------- MODULE HeardEstimate ---------------------------
(***************************************************************************)
(* The truncation source on mod_audio_stream legs (BI3): the module gives  *)
(* no playback feedback, so Parley estimates what the caller heard by      *)
(* running its own copy of the module's inject buffer on Parley's clock    *)
(* (src/telephony/audio-stream/far-side.ts): ticks assumed PHASE_MS after  *)
(* the first chunk and every 20 ms after, one frame played per tick while  *)
(* the buffer holds at least the minimum fill. The real module ticks at a  *)
(* phase Parley does not know. At a barge-in the truncate point is the     *)
(* estimate, capped by what was sent (AudioStreamFarSide.heardMs).          *)
(*                                                                         *)
(* Time is counted in half frames (10 ms): the real module's phase is one  *)
(* of the two half-frame offsets from the first chunk; the estimate's is   *)
(* the code's 10 ms. Parley sends whole frames at any moment; the network  *)
(* adds no delay (a delay shifts both the same way from the module's view  *)
(* of arrival, and is a bench figure). A tick at a moment comes before a    *)
(* send at that moment.                                                    *)
(*                                                                         *)
(* This is the part of BI3 that specs/BargeIn.tla abstracts as "the        *)
(* position": there the audio-stream source is the core's delivered count, *)
(* here it is the estimate the code really uses.                           *)
(* MUTANT "delivered": truncate at what was sent/delivered, ignoring the    *)
(* module's buffer (the source BargeIn.tla's audio-stream config used).    *)
(***************************************************************************)
EXTENDS Naturals

CONSTANTS
    SENDS,    \* frames Parley sends over the run
    TMAX,     \* half frames the run lasts
    MINFILL,  \* the module's minimum fill, in frames (>= 1)
    MUTANT    \* "none" or "delivered"

ASSUME SENDS >= 1 /\ TMAX >= 2 /\ MINFILL >= 1 /\ MUTANT \in {"none", "delivered"}

EPHASE == 1   \* the estimate's phase: 10 ms after the first chunk (far-side.ts phaseMs)

VARIABLES t, first, ph, sent, realQ, heard, estQ, est, cut, heardAtCut
vars == <<t, first, ph, sent, realQ, heard, estQ, est, cut, heardAtCut>>

None == TMAX + 1
Min(a, b) == IF a <= b THEN a ELSE b
Abs(x) == IF x >= 0 THEN x ELSE 0 - x
\* A tick of a clock of phase p (half frames after the first chunk) falls at time u.
TickAt(p, u) == first /= None /\ u >= first + p /\ (u - first - p) % 2 = 0

Init ==
    /\ t = 0 /\ first = None /\ ph \in {0, 1}
    /\ sent = 0 /\ realQ = 0 /\ heard = 0 /\ estQ = 0 /\ est = 0
    /\ cut = None /\ heardAtCut = 0

\* Parley sends one frame now (both the module and Parley's copy of it buffer it).
Send ==
    /\ cut = None /\ sent < SENDS
    /\ first' = IF first = None THEN t ELSE first
    /\ sent' = sent + 1 /\ realQ' = realQ + 1 /\ estQ' = estQ + 1
    /\ UNCHANGED <<t, ph, heard, est, cut, heardAtCut>>

\* Time moves on by half a frame; each clock that ticks plays a frame if it holds the fill.
Advance ==
    /\ t < TMAX
    /\ t' = t + 1
    /\ IF TickAt(ph, t + 1) /\ realQ >= MINFILL
         THEN realQ' = realQ - 1 /\ heard' = heard + 1 ELSE UNCHANGED <<realQ, heard>>
    /\ IF TickAt(EPHASE, t + 1) /\ estQ >= MINFILL
         THEN estQ' = estQ - 1 /\ est' = est + 1 ELSE UNCHANGED <<estQ, est>>
    /\ UNCHANGED <<first, ph, sent, cut, heardAtCut>>

\* The barge-in: the truncate point is taken, the clear empties the module (and the copy).
Clear ==
    /\ cut = None /\ sent > 0
    /\ cut' = IF MUTANT = "delivered" THEN sent ELSE Min(est, sent)
    /\ heardAtCut' = heard
    /\ realQ' = 0 /\ estQ' = 0
    /\ UNCHANGED <<t, first, ph, sent, heard, est>>

Next == Send \/ Advance \/ Clear

Spec == Init /\ [][Next]_vars

TypeOK ==
    /\ t \in 0..TMAX /\ ph \in {0, 1} /\ sent \in 0..SENDS
    /\ heard \in 0..SENDS /\ est \in 0..SENDS
    /\ cut = None => heard + realQ = sent /\ est + estQ = sent

\* BI3 (audio-stream): the truncate point never exceeds what was sent, and it is within one
\* frame of what the caller really heard at the cut-off, whatever the module's tick phase.
BI3_HeardEstimateBounded ==
    cut /= None => cut <= sent /\ Abs(cut - heardAtCut) <= 1
=============================================================================
