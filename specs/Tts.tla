--------------------------------- MODULE Tts ---------------------------------
(***************************************************************************)
(* Cascade mode: LLM text -> sentence queue -> streaming TTS -> playout     *)
(* (src/ai/cascade; specs/PROPERTIES.md TT1-TT6).                         *)
(*                                                                         *)
(* LLM (text-only realtime session): creates responses one at a time and   *)
(* emits each response's sentences (the sentence buffer's output), then    *)
(* ends its text. Barge-in may cancel the current response at any moment.  *)
(*                                                                         *)
(* JS thread (cascade client + speaker): keeps the set of live responses;  *)
(* queues sentences tagged with their response; takes one at a time: from *)
(* the TTS cache when its key is cached, else from the provider the        *)
(* generated ttsBreaker machine routes it to (primary P, fallback F; the   *)
(* half-open breaker sends one probe to P). Each audio chunk that arrives  *)
(* is taken only when it belongs to the request in flight (the provider's  *)
(* flight / context-id check) of a live response, and is converted from    *)
(* the rate of the socket it came on; the converter's filter holds samples *)
(* of the provider that produced them (filt), drained at that rate when    *)
(* another provider's audio follows. A primary failure in a sentence (any  *)
(* time before its last chunk, with chunks of P still in flight) makes F   *)
(* re-say it at once from a restart point at or before the position heard  *)
(* (start of the sentence or of the clause reached), whatever the breaker  *)
(* says. Outcomes of P go to the breaker; its cooldown is a timer. A       *)
(* completed whole-sentence synthesis is put in the cache.                 *)
(*                                                                         *)
(* TTS sockets: the request in flight produces chunks tagged with its      *)
(* sentence, provider and position into one stream (net); P and F may      *)
(* fail at any point. A failure or barge-in is decided on the JS side while*)
(* chunks already in net still arrive (ElevenLabs: "chunks already in      *)
(* flight still arrive"). The call may end at any moment (HANGUP).         *)
(*                                                                         *)
(* Other calls: put entries of their own into the process-wide cache.     *)
(*                                                                         *)
(* One ahead (issue 20): while a sentence is spoken, the next queued one   *)
(* of the same response may be asked for (ahead) from the provider the    *)
(* current one was routed to, while the breaker still routes there (never *)
(* as or beside the probe), unless cached. Its chunks are held, not       *)
(* written, until the sentence before it is done; then it becomes the     *)
(* request in flight (held chunks heard at once). When the sentence       *)
(* before it fails, a prefetch not yet complete is dropped back to the    *)
(* head of the queue (its chunks in flight discarded by context id).      *)
(* A prefetch's outcome reaches the breaker only once it is in flight.    *)
(*                                                                         *)
(* One call's breaker view: an outcome reaches the breaker only for the   *)
(* request in flight; a prefetch routed while the breaker was closed may  *)
(* report after it opened (as other calls' requests do in the runtime).   *)
(* MUTANT re-introduces one original bug (specs/mutants/Tts_*.cfg).         *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    RESPS,      \* responses the LLM produces
    SENTS,      \* sentences per response
    CHUNKS,     \* audio chunks per sentence (its cache size in units)
    THRESH,     \* breaker: consecutive primary failures that open it
    FAILS,      \* primary failures the network may inject over the run
    FFAILS,     \* fallback failures the network may inject over the run
    HANGUP,     \* the call may end at any moment
    PROCCAP,    \* cache: bytes for the whole process
    CALLCAP,    \* cache: bytes one call may hold
    MAXN,       \* cache: the entry count the original's count-only eviction kept
    OTHERS,     \* entries other calls put
    AHEAD,      \* sentences asked for ahead of the one in flight (tts.prefetch: 0 or 1)
    MUTANT      \* "none", or the bug to re-introduce

ASSUME RESPS >= 1 /\ SENTS >= 1 /\ CHUNKS >= 1 /\ THRESH >= 1 /\ FAILS >= 0 /\ FFAILS >= 0 /\ HANGUP \in BOOLEAN
ASSUME CALLCAP >= 1 /\ PROCCAP >= CALLCAP /\ MAXN >= 1 /\ OTHERS >= 0 /\ AHEAD \in {0, 1}
ASSUME MUTANT \in {"none", "no_response_check", "rate_from_primary", "count_aborts", "count_only_eviction",
                   "rest_lost", "restart_past_heard", "no_context_check", "rate_of_current", "probe_abort_unmarked",
                   "cache_partial", "ahead_unheld"}


R == 1..RESPS
Providers == {"P", "F"}
\* The rate each provider produces (ElevenLabs pcm_16000, OpenAI TTS 24 kHz), in kHz.
Rate == [p \in Providers |-> IF p = "P" THEN 16 ELSE 24]
\* Sentence keys repeat across responses (greetings): the second response can hit the cache.
Key(r, s) == s
Keys == 1..SENTS
\* Keys of other calls' entries: OtherKey + i for their i-th put.
OtherKey == 100
Me == "me"
Owners == {Me, "other"}
Sents == R \X Keys
\* The request in flight: sentence (r, s), provider p, chunks produced n, probe, the position it
\* starts after (0: the whole sentence; a rescue may restart at a clause), rescue (P failed in it).
NoReq == [r |-> 0, s |-> 0, p |-> "P", n |-> 0, probe |-> FALSE, from |-> 0, rescue |-> FALSE]
\* The sentence asked for ahead: (r, s), provider p, chunks produced n.
NoAhead == [r |-> 0, s |-> 0, p |-> "P", n |-> 0]
\* Reasons a sentence may be counted lost with (parley_tts_sentences_lost_total{reason}).
LossReasons == {"both_failed", "fallback_failed", "barge_in", "call_ended"}

VARIABLES
    \* LLM
    cur,        \* current response (0 before the first)
    emitted,    \* sentences of cur emitted so far
    textDone,   \* cur's text is complete
    \* JS thread
    live,       \* responses whose sentences may still be spoken
    cancelled,  \* responses cancelled by barge-in (history)
    queue,      \* Seq([r, s]): sentences waiting for TTS
    busy,       \* the request in flight, or NoReq (r = 0)
    ahead,      \* the sentence asked for ahead, or NoAhead (r = 0)
    held,       \* its chunks received and held: positions 1..held
    bst,        \* ttsBreaker configuration
    bfail,      \* its context.failures
    cool,       \* its cooldown timer is armed
    cache,      \* Seq([k, o, n, rate]): the process cache, least recently used first
    others,     \* entries other calls have put
    \* TTS socket
    net,        \* Seq([r, s, p, i]): chunks on their way to JS, in order (i: position in the sentence)
    fails,      \* primary failures injected so far
    ffails,     \* fallback failures injected so far
    filt,       \* JS: the provider whose samples sit in the converter's filter ("none", "P", "F")
    ended,      \* the call ended
    \* per sentence (history and counters)
    said,       \* sentences that reached the queue
    done,       \* sentences the speaker is finished with (spoken, dropped or lost)
    heard,      \* [Sents -> 0..CHUNKS]: the caller heard positions 1..heard[x] of x, in order
    lost,       \* [Sents -> reason or "none"]: what the loss counter was told
    \* history
    genuine,    \* consecutive genuine primary failures since its last success (capped)
    badSend,    \* a sentence of a cancelled response was sent to TTS
    badSpeak,   \* audio of a cancelled response was written to playout
    badRate     \* a chunk was converted from a rate other than its producer's

vars == <<cur, emitted, textDone, live, cancelled, queue, busy, bst, bfail, cool, cache, others,
          net, fails, ffails, filt, ended, said, done, heard, lost, genuine, badSend, badSpeak, badRate, ahead, held>>
\* The prefetch's variables (unchanged by the actions that do not touch it).
aheadVars == <<ahead, held>>
\* The new variables of TT5 (unchanged by the actions that do not speak).
sentVars == <<ffails, filt, ended, said, done, heard, lost>>

Min(a, b) == IF a <= b THEN a ELSE b

(***************************************************************************)
(* The generated breaker machine, with the meaning of its guards.          *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "reachesThreshold" -> bfail + 1 >= THRESH
      [] name = "isProbe"          -> e.probe
      [] name = "isCooldownTimer"  -> e.timer = "cooldown"

BM == INSTANCE TtsBreakerMachine WITH state <- bst
\* Every state name this spec writes by hand is a state of the generated machine (a rename breaks the spec).
ASSUME {"probing"} \subseteq BM!States

\* The breaker takes event e: its state, its failure count, its cooldown timer.
Breaker(e) ==
    /\ bst' = BM!Next(bst, e, G)
    /\ bfail' = IF BM!Runs(bst, e, G, "resetFailures") THEN 0
                ELSE IF BM!Runs(bst, e, G, "countFailure") THEN Min(bfail + 1, THRESH)
                ELSE bfail
    \* the timer is armed by startCooldown and spent when it fires
    /\ cool' = IF BM!Runs(bst, e, G, "startCooldown") THEN TRUE
               ELSE IF e.type = "TIMER_FIRED" THEN FALSE ELSE cool

(***************************************************************************)
(* The cache (src/ai/cascade/cache.ts).                                    *)
(***************************************************************************)
RECURSIVE SumN(_)
SumN(c) == IF c = <<>> THEN 0 ELSE Head(c).n + SumN(Tail(c))
Owned(c, o) == SelectSeq(c, LAMBDA x : x.o = o)
Bytes(c) == SumN(c)
OwnerBytes(c, o) == SumN(Owned(c, o))
Drop(c, i) == SubSeq(c, 1, i - 1) \o SubSeq(c, i + 1, Len(c))
FirstOf(c, o) == CHOOSE i \in 1..Len(c) : c[i].o = o /\ \A j \in 1..(i - 1) : c[j].o /= o
Cached(c, k) == \E i \in 1..Len(c) : c[i].k = k
IndexOf(c, k) == CHOOSE i \in 1..Len(c) : c[i].k = k

\* Evict the owner's least recently used entries until n more fit under the call cap (the
\* original's count-only bug evicts by entry count instead).
RECURSIVE EvictOwner(_, _, _)
EvictOwner(c, o, n) ==
    IF Owned(c, o) = <<>> THEN c
    ELSE IF MUTANT = "count_only_eviction"
           THEN IF Len(Owned(c, o)) < MAXN THEN c ELSE EvictOwner(Drop(c, FirstOf(c, o)), o, n)
           ELSE IF OwnerBytes(c, o) + n <= CALLCAP THEN c ELSE EvictOwner(Drop(c, FirstOf(c, o)), o, n)

\* Then the process-wide least recently used entries until n more fit under the process cap.
RECURSIVE EvictAll(_, _)
EvictAll(c, n) ==
    IF c = <<>> THEN c
    ELSE IF MUTANT = "count_only_eviction"
           THEN IF Len(c) < MAXN THEN c ELSE EvictAll(Tail(c), n)
           ELSE IF Bytes(c) + n <= PROCCAP THEN c ELSE EvictAll(Tail(c), n)

\* put(owner, key, audio): refused when it can never fit; replaces an entry of the same key.
Put(c, k, o, n, rate) ==
    IF MUTANT /= "count_only_eviction" /\ (n > CALLCAP \/ n > PROCCAP) THEN c
    ELSE LET c1 == IF Cached(c, k) THEN Drop(c, IndexOf(c, k)) ELSE c
         IN EvictAll(EvictOwner(c1, o, n), n) \o <<[k |-> k, o |-> o, n |-> n, rate |-> rate]>>

Touch(c, k) == LET i == IndexOf(c, k) IN Drop(c, i) \o <<c[i]>>

(***************************************************************************)
(* Converting a chunk to the call's rate (TT2).                            *)
(***************************************************************************)
\* The rate JS converts a chunk that came on provider p's socket from, given the provider now
\* serving the request (busy.p). The fix: the rate of the socket it came on (the provider object
\* tags its chunks). X-8: always the primary's. The realistic bug of issue 18: the rate of the
\* provider currently serving the request.
ConvertFrom(p) ==
    CASE MUTANT = "rate_from_primary" -> Rate["P"]
      [] MUTANT = "rate_of_current"   -> Rate[busy.p]
      [] OTHER                        -> Rate[p]
\* The rate the filter's tail is drained at when audio of another provider follows: the rate of
\* the samples inside it (filt, JS state: TtsAudioOut.lastRate) — or, in the bug, the current one.
TailFrom(f) == IF MUTANT = "rate_of_current" THEN Rate[busy.p] ELSE Rate[f]

\* The chunk belongs to the request in flight (the provider's flight and context-id check).
OfFlight(c) == c.r = busy.r /\ c.s = busy.s /\ c.p = busy.p
\* The code's filter for a chunk arriving at JS, as the code has it: the provider passes it on
\* only for its flight in progress (request + context id), and the speaker's sink takes it while
\* the response of *the request it is serving* is live (busy.r, not the chunk's own response —
\* JS cannot know that beyond the flight check). TT1 then rests on the flight check and on
\* barge-in ending the flight; the bug: no context-id check — a chunk is taken for whatever
\* request is in flight.
Taken(c) ==
    /\ busy.r /= 0 /\ busy.r \in live
    /\ MUTANT = "no_context_check" \/ OfFlight(c)
InFlight(r, s, p) == \E i \in 1..Len(net) : net[i].r = r /\ net[i].s = s /\ net[i].p = p
X(r, s) == <<r, s>>

\* The chunk belongs to the sentence asked for ahead, of a live response (its own context id).
OfAhead(c) == ahead.r /= 0 /\ ahead.r \in live /\ c.r = ahead.r /\ c.s = ahead.s /\ c.p = ahead.p
\* The ahead request has all its audio (the provider reported it complete).
AheadComplete == ahead.r /= 0 /\ ahead.n = CHUNKS /\ ~InFlight(ahead.r, ahead.s, ahead.p)
\* Where the breaker routes a request now (the code's peek, which never takes the probe), and
\* where the request in flight was routed.
PeekRoute == IF BM!HasTag(bst, "tts.primary") THEN "primary" ELSE IF BM!HasTag(bst, "tts.probe") THEN "probe" ELSE "fallback"
BusyRoute == IF busy.probe THEN "probe" ELSE IF busy.p = "F" /\ ~busy.rescue THEN "fallback" ELSE "primary"
\* The sentence before it failed: a prefetch not yet complete goes back to the head of the queue,
\* its chunks in flight discarded (closed context id), nothing reported.
DropAhead ==
    IF ahead.r /= 0 /\ ~AheadComplete
      THEN /\ queue' = <<[r |-> ahead.r, s |-> ahead.s]>> \o queue
           /\ net' = SelectSeq(net, LAMBDA c : ~(c.r = ahead.r /\ c.s = ahead.s /\ c.p = ahead.p))
           /\ ahead' = NoAhead
           /\ held' = 0
      ELSE UNCHANGED <<queue, net, ahead, held>>

(***************************************************************************)
(* LLM                                                                     *)
(***************************************************************************)
LlmCreate ==
    /\ cur < RESPS /\ ~ended
    /\ cur = 0 \/ textDone \/ cur \in cancelled
    /\ cur' = cur + 1
    /\ emitted' = 0
    /\ textDone' = FALSE
    /\ live' = live \cup {cur + 1}
    /\ UNCHANGED <<cancelled, queue, busy, bst, bfail, cool, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED sentVars
    /\ UNCHANGED aheadVars

\* A sentence of cur leaves the sentence buffer. A cancelled response's buffer was dropped;
\* without the response-id check its text still reaches the queue.
LlmSentence ==
    /\ cur > 0 /\ ~textDone /\ emitted < SENTS /\ ~ended
    /\ cur \in live \/ MUTANT = "no_response_check"
    /\ emitted' = emitted + 1
    /\ queue' = Append(queue, [r |-> cur, s |-> emitted + 1])
    /\ said' = said \cup {X(cur, emitted + 1)}
    /\ UNCHANGED <<cur, textDone, live, cancelled, busy, bst, bfail, cool, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED <<ffails, filt, ended, done, heard, lost>>
    /\ UNCHANGED aheadVars

LlmDone ==
    /\ cur > 0 /\ ~textDone /\ (emitted = SENTS \/ cur \in cancelled \/ ended)
    /\ textDone' = TRUE
    /\ UNCHANGED <<cur, emitted, live, cancelled, queue, busy, bst, bfail, cool, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED sentVars
    /\ UNCHANGED aheadVars

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
\* The request in flight is aborted (barge-in, call end): reported to the breaker as an abort,
\* never a failure (TT3); with the probe flag, so an aborted probe frees the breaker.
AbortBusy ==
    IF busy.p = "P" /\ ~busy.rescue
      THEN CASE MUTANT = "count_aborts"         -> Breaker([type |-> "PRIMARY_FAILED"])
             [] MUTANT = "probe_abort_unmarked" -> Breaker([type |-> "PRIMARY_ABORTED", probe |-> FALSE])
             [] OTHER                           -> Breaker([type |-> "PRIMARY_ABORTED", probe |-> busy.probe])
      ELSE UNCHANGED <<bst, bfail, cool>>

\* Response r's queued sentences and request in flight are dropped, counted with `why`.
DropResponse(r, why) ==
    LET q == {X(x.r, x.s) : x \in {queue[i] : i \in DOMAIN queue}}
        mine == {x \in q : x[1] = r} \cup (IF busy.r = r THEN {X(busy.r, busy.s)} ELSE {})
                                    \cup (IF ahead.r = r THEN {X(ahead.r, ahead.s)} ELSE {})
    IN /\ done' = done \cup mine
       /\ lost' = [x \in Sents |-> IF x \in mine THEN why ELSE lost[x]]

\* Barge-in on the current response: out of the live set, out of the queue, its request
\* aborted; its sentences not heard in full are counted lost (barge_in).
BargeIn ==
    /\ cur \in live /\ ~ended
    /\ live' = live \ {cur}
    /\ cancelled' = cancelled \cup {cur}
    /\ queue' = IF MUTANT = "no_response_check" THEN queue ELSE SelectSeq(queue, LAMBDA x : x.r /= cur)
    /\ IF MUTANT = "no_response_check" THEN UNCHANGED <<done, lost>> ELSE DropResponse(cur, "barge_in")
    /\ IF busy.r = cur
         THEN /\ busy' = NoReq
              /\ AbortBusy
         ELSE UNCHANGED <<busy, bst, bfail, cool>>
    /\ IF ahead.r = cur THEN ahead' = NoAhead /\ held' = 0 ELSE UNCHANGED aheadVars
    /\ UNCHANGED <<cur, emitted, textDone, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED <<ffails, filt, ended, said, heard>>

\* The call ends: every live response is dropped (call_ended); nothing more is spoken.
HangUp ==
    /\ HANGUP /\ ~ended
    /\ ended' = TRUE
    /\ live' = {}
    /\ queue' = <<>>
    /\ LET q == {X(x.r, x.s) : x \in {queue[i] : i \in DOMAIN queue}}
           mine == q \cup (IF busy.r /= 0 THEN {X(busy.r, busy.s)} ELSE {}) \cup (IF ahead.r /= 0 THEN {X(ahead.r, ahead.s)} ELSE {})
       IN /\ done' = done \cup mine
          /\ lost' = [x \in Sents |-> IF x \in mine THEN "call_ended" ELSE lost[x]]
    /\ busy' = NoReq
    /\ ahead' = NoAhead /\ held' = 0
    /\ IF busy.r /= 0 THEN AbortBusy ELSE UNCHANGED <<bst, bfail, cool>>
    /\ UNCHANGED <<cur, emitted, textDone, cancelled, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED <<ffails, filt, said, heard>>

\* The speaker takes the next sentence.
Dequeue ==
    /\ busy.r = 0 /\ ahead.r = 0 /\ queue /= <<>>
    /\ LET h == Head(queue)
           k == Key(h.r, h.s)
           skip == h.r \notin live /\ MUTANT /= "no_response_check"
       IN /\ queue' = Tail(queue)
          /\ badSend' = (badSend \/ (~skip /\ h.r \in cancelled /\ ~Cached(cache, k)))
          /\ badSpeak' = (badSpeak \/ (~skip /\ h.r \in cancelled /\ Cached(cache, k)))
          /\ IF skip
               THEN UNCHANGED <<busy, bst, bfail, cool, cache, badRate, done, heard, filt>>
             ELSE IF Cached(cache, k)
               \* A hit is written whole, converted from the rate it was stored with.
               THEN LET e == cache[IndexOf(cache, k)] IN
                    /\ cache' = Touch(cache, k)
                    /\ badRate' = (badRate \/ (IF MUTANT = "rate_from_primary" THEN Rate["P"] ELSE e.rate) /= e.rate)
                    /\ heard' = [heard EXCEPT ![X(h.r, h.s)] = IF e.n = CHUNKS THEN CHUNKS ELSE @]
                    /\ done' = done \cup {X(h.r, h.s)}
                    /\ filt' = IF e.rate = Rate["P"] THEN "P" ELSE "F"
                    /\ UNCHANGED <<busy, bst, bfail, cool>>
             ELSE IF BM!HasTag(bst, "tts.primary")
               THEN /\ busy' = [NoReq EXCEPT !.r = h.r, !.s = h.s, !.p = "P"]
                    /\ UNCHANGED <<bst, bfail, cool, cache, badRate, done, heard, filt>>
             ELSE IF BM!HasTag(bst, "tts.probe")
               THEN /\ busy' = [NoReq EXCEPT !.r = h.r, !.s = h.s, !.p = "P", !.probe = TRUE]
                    /\ Breaker([type |-> "PROBE_STARTED"])
                    /\ UNCHANGED <<cache, badRate, done, heard, filt>>
             ELSE /\ busy' = [NoReq EXCEPT !.r = h.r, !.s = h.s, !.p = "F"]
                  /\ UNCHANGED <<bst, bfail, cool, cache, badRate, done, heard, filt>>
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, others, net, fails, genuine>>
    /\ UNCHANGED <<ffails, ended, said, lost>>
    /\ UNCHANGED aheadVars

\* A chunk reaches JS: taken by the code's filter (else dropped), converted — after the filter's
\* tail when it holds another provider's samples — and written; the caller hears it in order.
Receive ==
    /\ net /= <<>>
    /\ LET c == Head(net)
           x == X(c.r, c.s)
       IN /\ net' = Tail(net)
          /\ IF Taken(c) \/ (MUTANT = "ahead_unheld" /\ OfAhead(c))
               THEN /\ badSpeak' = (badSpeak \/ c.r \in cancelled)
                    /\ badRate' = (badRate \/ ConvertFrom(c.p) /= Rate[c.p]
                                          \/ (filt \notin {"none", c.p} /\ TailFrom(filt) /= Rate[filt]))
                    /\ filt' = c.p
                    /\ heard' = [heard EXCEPT ![x] = IF c.i = @ + 1 THEN c.i ELSE @]
                    /\ UNCHANGED held
             ELSE IF OfAhead(c)
               \* Held, unconverted, until its turn (the mutant writes it at once).
               THEN /\ held' = IF c.i = held + 1 THEN c.i ELSE held
                    /\ UNCHANGED <<badSpeak, badRate, filt, heard>>
               ELSE UNCHANGED <<badSpeak, badRate, filt, heard, held>>
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, busy, bst, bfail, cool, cache, others, fails, genuine, badSend>>
    /\ UNCHANGED <<ffails, ended, said, done, lost, ahead>>

\* (Before issue 20 this action also wrote cool' = FALSE beside Breaker's cool' — a contradiction
\* that kept it from ever firing: halfOpen and probing were unreachable.)
CooldownFires ==
    /\ cool
    /\ Breaker([type |-> "TIMER_FIRED", timer |-> "cooldown"])
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, busy, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED sentVars
    /\ UNCHANGED aheadVars

(***************************************************************************)
(* TTS sockets                                                             *)
(***************************************************************************)
Produce ==
    /\ busy.r /= 0 /\ busy.from + busy.n < CHUNKS
    /\ net' = Append(net, [r |-> busy.r, s |-> busy.s, p |-> busy.p, i |-> busy.from + busy.n + 1])
    /\ busy' = [busy EXCEPT !.n = @ + 1]
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, bst, bfail, cool, cache, others, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED sentVars
    /\ UNCHANGED aheadVars

\* The request's last chunk has been handled: done; a whole sentence's audio goes into the cache.
Complete ==
    /\ busy.r /= 0 /\ busy.from + busy.n = CHUNKS /\ ~InFlight(busy.r, busy.s, busy.p)
    /\ busy' = NoReq
    /\ done' = done \cup {X(busy.r, busy.s)}
    /\ cache' = IF busy.from = 0 THEN Put(cache, Key(busy.r, busy.s), Me, CHUNKS, Rate[busy.p]) ELSE cache
    \* (A prefetch's success may reach the breaker after it opened, which then keeps its count:
    \* the history restarts only where the breaker's count does.)
    /\ IF busy.p = "P"
         THEN /\ Breaker([type |-> "PRIMARY_OK"])
              /\ genuine' = IF BM!Runs(bst, [type |-> "PRIMARY_OK"], G, "resetFailures") THEN 0 ELSE genuine
         ELSE UNCHANGED <<bst, bfail, cool, genuine>>
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, others, net, fails, badSend, badSpeak, badRate>>
    /\ UNCHANGED <<ffails, filt, ended, said, heard, lost>>
    /\ UNCHANGED aheadVars

\* The primary fails in a sentence (error + close, drop, timeout) before its last chunk was
\* handled — its chunks may still be in flight. The fallback re-says the sentence at once from a
\* restart point at or before the position heard (a clause start; 0 = the whole sentence). Today's
\* bug (rest_lost): after some audio the rest is lost. restart_past_heard: the fallback starts at
\* the next clause boundary, past what was heard.
PrimaryFails ==
    /\ busy.r /= 0 /\ busy.p = "P" /\ fails < FAILS
    /\ ~(busy.n = CHUNKS /\ ~InFlight(busy.r, busy.s, "P"))
    /\ fails' = fails + 1
    /\ genuine' = Min(genuine + 1, THRESH + 1)
    /\ Breaker([type |-> "PRIMARY_FAILED"])
    /\ cache' = IF MUTANT = "cache_partial" /\ busy.n > 0 THEN Put(cache, Key(busy.r, busy.s), Me, busy.n, Rate["P"]) ELSE cache
    /\ LET x == X(busy.r, busy.s) IN
       IF MUTANT = "rest_lost" /\ busy.n > 0
         THEN /\ busy' = NoReq
              /\ done' = done \cup {x}
              /\ lost' = [lost EXCEPT ![x] = "primary_failed"]
         ELSE /\ \E f \in (IF MUTANT = "restart_past_heard" THEN (heard[x] + 1)..CHUNKS ELSE 0..heard[x]) :
                    busy' = [busy EXCEPT !.p = "F", !.n = 0, !.probe = FALSE, !.from = IF busy.n = 0 THEN 0 ELSE f, !.rescue = TRUE]
              /\ UNCHANGED <<done, lost>>
    /\ DropAhead
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, others, badSend, badSpeak, badRate>>
    /\ UNCHANGED <<ffails, filt, ended, said, heard>>

\* The fallback fails too: the sentence is counted lost (both_failed after a rescue, else
\* fallback_failed: the breaker had sent it there).
FallbackFails ==
    /\ busy.r /= 0 /\ busy.p = "F" /\ ffails < FFAILS
    /\ ~(busy.from + busy.n = CHUNKS /\ ~InFlight(busy.r, busy.s, "F"))
    /\ ffails' = ffails + 1
    /\ busy' = NoReq
    /\ done' = done \cup {X(busy.r, busy.s)}
    /\ lost' = [lost EXCEPT ![X(busy.r, busy.s)] = IF busy.rescue THEN "both_failed" ELSE "fallback_failed"]
    \* (A rescue's failure leaves a prefetch made during the rescue in place, as the code does.)
    /\ IF busy.rescue THEN UNCHANGED <<queue, net, ahead, held>> ELSE DropAhead
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, bst, bfail, cool, cache, others, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED <<filt, ended, said, heard>>

(***************************************************************************)
(* One ahead                                                               *)
(***************************************************************************)
\* The next queued sentence of the response being spoken is asked for now.
Prefetch ==
    /\ AHEAD = 1
    /\ busy.r /= 0 /\ busy.r \in live /\ ahead.r = 0 /\ queue /= <<>> /\ ~ended
    /\ LET h == Head(queue) IN
       /\ h.r = busy.r
       /\ ~Cached(cache, Key(h.r, h.s))
       /\ PeekRoute = BusyRoute /\ PeekRoute /= "probe"
       /\ ahead' = [r |-> h.r, s |-> h.s, p |-> IF PeekRoute = "primary" THEN "P" ELSE "F", n |-> 0]
    /\ queue' = Tail(queue)
    /\ held' = 0
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, busy, bst, bfail, cool, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED sentVars

ProduceAhead ==
    /\ ahead.r /= 0 /\ ahead.n < CHUNKS
    /\ net' = Append(net, [r |-> ahead.r, s |-> ahead.s, p |-> ahead.p, i |-> ahead.n + 1])
    /\ ahead' = [ahead EXCEPT !.n = @ + 1]
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, busy, bst, bfail, cool, cache, others, fails, genuine, badSend, badSpeak, badRate, held>>
    /\ UNCHANGED sentVars

\* The sentence before it is done: the prefetch becomes the request in flight; what it holds is
\* converted (from its own provider's rate) and written now, in order.
Promote ==
    /\ busy.r = 0 /\ ahead.r /= 0
    /\ busy' = [NoReq EXCEPT !.r = ahead.r, !.s = ahead.s, !.p = ahead.p, !.n = ahead.n]
    /\ heard' = [heard EXCEPT ![X(ahead.r, ahead.s)] = IF held > @ THEN held ELSE @]
    /\ badSpeak' = (badSpeak \/ (held > 0 /\ ahead.r \in cancelled))
    /\ badRate' = (badRate \/ (held > 0 /\ filt \notin {"none", ahead.p} /\ TailFrom(filt) /= Rate[filt]))
    /\ filt' = IF held > 0 THEN ahead.p ELSE filt
    /\ ahead' = NoAhead
    /\ held' = 0
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, bst, bfail, cool, cache, others, net, fails, genuine, badSend>>
    /\ UNCHANGED <<ffails, ended, said, done, lost>>

(***************************************************************************)
(* Other calls                                                             *)
(***************************************************************************)
OtherPut ==
    /\ others < OTHERS
    /\ others' = others + 1
    /\ \E n \in 1..CALLCAP : cache' = Put(cache, OtherKey + others, "other", n, 24)
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, busy, bst, bfail, cool, net, fails, genuine, badSend, badSpeak, badRate>>
    /\ UNCHANGED sentVars
    /\ UNCHANGED aheadVars

(***************************************************************************)
Init ==
    /\ cur = 0 /\ emitted = 0 /\ textDone = FALSE
    /\ live = {} /\ cancelled = {} /\ queue = <<>> /\ busy = NoReq /\ ahead = NoAhead /\ held = 0
    /\ bst = BM!Initial /\ bfail = 0 /\ cool = FALSE
    /\ cache = <<>> /\ others = 0
    /\ net = <<>> /\ fails = 0 /\ ffails = 0 /\ filt = "none" /\ ended = FALSE
    /\ said = {} /\ done = {} /\ heard = [x \in Sents |-> 0] /\ lost = [x \in Sents |-> "none"]
    /\ genuine = 0 /\ badSend = FALSE /\ badSpeak = FALSE /\ badRate = FALSE

Quiet == (cur = RESPS \/ ended) /\ (textDone \/ ended) /\ queue = <<>> /\ busy.r = 0 /\ ahead.r = 0 /\ net = <<>>

\* Everything said, nothing in flight: the run is over (not a deadlock).
Finished == Quiet /\ UNCHANGED vars

Next == LlmCreate \/ LlmSentence \/ LlmDone \/ BargeIn \/ HangUp \/ Dequeue \/ Receive \/ CooldownFires
        \/ Produce \/ Complete \/ PrimaryFails \/ FallbackFails \/ OtherPut \/ Finished
        \/ Prefetch \/ ProduceAhead \/ Promote

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ cur \in 0..RESPS /\ emitted \in 0..SENTS /\ textDone \in BOOLEAN
    /\ live \subseteq R /\ cancelled \subseteq R
    /\ bst \in BM!States /\ bfail \in 0..THRESH /\ cool \in BOOLEAN
    /\ busy.r \in 0..RESPS /\ busy.p \in Providers /\ busy.n \in 0..CHUNKS /\ busy.from \in 0..CHUNKS
    /\ Len(net) <= 2 * RESPS * SENTS * CHUNKS /\ fails \in 0..FAILS /\ ffails \in 0..FFAILS
    /\ filt \in {"none", "P", "F"} /\ said \subseteq Sents /\ done \subseteq Sents
    /\ heard \in [Sents -> 0..CHUNKS]
    /\ ahead.r \in 0..RESPS /\ ahead.p \in Providers /\ ahead.n \in 0..CHUNKS /\ held \in 0..ahead.n

\* TT1: no audio of a cancelled response is written to playout and none of its sentences is sent
\* to TTS — with the filter as the code has it (a chunk is taken when it belongs to the flight in
\* progress of a live response), against the ground truth of which responses were cancelled.
TT1_NoCancelledSpeech == ~badSend /\ ~badSpeak

\* TT2: every sample is converted from the rate of the provider that produced it — each chunk,
\* and the converter's tail when the provider changes (failover mid-stream, P chunks in flight).
TT2_OwnProviderRate == ~badRate

\* TT3: user aborts never count as provider failures: the breaker's count never exceeds the
\* primary's genuine consecutive failures.
TT3_AbortsNeverCount == bfail <= genuine

\* TT4: cached TTS bytes stay under the configured caps, for the process and for each call.
TT4_CacheUnderCaps ==
    /\ Bytes(cache) <= PROCCAP
    /\ \A o \in Owners : OwnerBytes(cache, o) <= CALLCAP

\* TT4 (extended, issue 20): nothing a sentence depends on is left that can no longer complete —
\* every cache entry of this call holds a whole sentence (no partial entry is ever served), and
\* the breaker waits on a probe only while that probe is in flight.
TT4_NoDeadWait ==
    /\ \A i \in 1..Len(cache) : cache[i].o = Me => cache[i].n = CHUNKS
    /\ bst = "probing" => (busy.probe /\ busy.r /= 0)

\* TT5 (issue 20): no sentence silently lost — every sentence the speaker is done with was heard
\* in full (by one provider, or the primary's part and the fallback's rest), or was counted lost
\* with a reason; and when all is quiet, every sentence that reached the queue is done.
TT5_NoSilentLoss ==
    /\ \A x \in done : heard[x] = CHUNKS \/ lost[x] \in LossReasons
    /\ Quiet => said \subseteq done

\* TT6 (issue 20, one ahead): sentences are heard in order — no audio of a sentence is written
\* before every earlier sentence of its response is done (spoken, or dropped and counted).
TT6_InOrder ==
    \A x \in Sents : heard[x] > 0 => \A e \in 1..(x[2] - 1) : X(x[1], e) \in done

=============================================================================
