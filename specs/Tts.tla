--------------------------------- MODULE Tts ---------------------------------
(***************************************************************************)
(* Cascade mode: LLM text -> sentence queue -> streaming TTS -> playout     *)
(* (src/ai/cascade; specs/PROPERTIES.md TT1-TT4).                         *)
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
(* is converted from a rate and written to the playout ring. A primary     *)
(* failure before any audio makes F say the sentence. Outcomes of P go to  *)
(* the breaker; its cooldown is a timer. A completed synthesis is put in   *)
(* the cache, charged to this call.                                        *)
(*                                                                         *)
(* TTS socket: the request in flight produces chunks tagged with its       *)
(* provider into one stream (net); P may fail at any point. Barge-in aborts*)
(* the request at once on the JS side, but chunks already in net still     *)
(* arrive (ElevenLabs: "chunks already in flight still arrive").           *)
(*                                                                         *)
(* Other calls: put entries of their own into the process-wide cache.     *)
(*                                                                         *)
(* One call's breaker view: its requests are sequential, so an outcome is  *)
(* always the outcome of the request the breaker routed.                  *)
(* MUTANT re-introduces one original bug (specs/mutants/Tts_*.cfg).         *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    RESPS,      \* responses the LLM produces
    SENTS,      \* sentences per response
    CHUNKS,     \* audio chunks per sentence (its cache size in units)
    THRESH,     \* breaker: consecutive primary failures that open it
    FAILS,      \* primary failures the network may inject over the run
    PROCCAP,    \* cache: bytes for the whole process
    CALLCAP,    \* cache: bytes one call may hold
    MAXN,       \* cache: the entry count the original's count-only eviction kept
    OTHERS,     \* entries other calls put
    MUTANT      \* "none", or the bug to re-introduce

ASSUME RESPS >= 1 /\ SENTS >= 1 /\ CHUNKS >= 1 /\ THRESH >= 1 /\ FAILS >= 0
ASSUME CALLCAP >= 1 /\ PROCCAP >= CALLCAP /\ MAXN >= 1 /\ OTHERS >= 0
ASSUME MUTANT \in {"none", "no_response_check", "rate_from_primary", "count_aborts", "count_only_eviction"}

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
NoReq == [r |-> 0, s |-> 0, p |-> "P", n |-> 0, probe |-> FALSE]

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
    bst,        \* ttsBreaker configuration
    bfail,      \* its context.failures
    cool,       \* its cooldown timer is armed
    cache,      \* Seq([k, o, n, rate]): the process cache, least recently used first
    others,     \* entries other calls have put
    \* TTS socket
    net,        \* Seq([r, s, p]): chunks on their way to JS, in order
    fails,      \* primary failures injected so far
    \* history
    genuine,    \* consecutive genuine primary failures since its last success (capped)
    badSend,    \* a sentence of a cancelled response was sent to TTS
    badSpeak,   \* audio of a cancelled response was written to playout
    badRate     \* a chunk was converted from a rate other than its producer's

vars == <<cur, emitted, textDone, live, cancelled, queue, busy, bst, bfail, cool, cache, others,
          net, fails, genuine, badSend, badSpeak, badRate>>

Min(a, b) == IF a <= b THEN a ELSE b

(***************************************************************************)
(* The generated breaker machine, with the meaning of its guards.          *)
(***************************************************************************)
G(name, e, p) ==
    CASE name = "reachesThreshold" -> bfail + 1 >= THRESH
      [] name = "isProbe"          -> e.probe
      [] name = "isCooldownTimer"  -> e.timer = "cooldown"

BM == INSTANCE TtsBreakerMachine WITH state <- bst

\* The breaker takes event e: its state, its failure count, its cooldown timer.
Breaker(e) ==
    /\ bst' = BM!Next(bst, e, G)
    /\ bfail' = IF BM!Runs(bst, e, G, "resetFailures") THEN 0
                ELSE IF BM!Runs(bst, e, G, "countFailure") THEN Min(bfail + 1, THRESH)
                ELSE bfail
    /\ cool' = IF BM!Runs(bst, e, G, "startCooldown") THEN TRUE ELSE cool

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
\* The rate the converter resamples a chunk of provider p from. The bug (X-8): the rate of the
\* primary, whoever produced the chunk.
ConvertFrom(p) == IF MUTANT = "rate_from_primary" THEN Rate["P"] ELSE Rate[p]

(***************************************************************************)
(* LLM                                                                     *)
(***************************************************************************)
LlmCreate ==
    /\ cur < RESPS
    /\ cur = 0 \/ textDone \/ cur \in cancelled
    /\ cur' = cur + 1
    /\ emitted' = 0
    /\ textDone' = FALSE
    /\ live' = live \cup {cur + 1}
    /\ UNCHANGED <<cancelled, queue, busy, bst, bfail, cool, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>

\* A sentence of cur leaves the sentence buffer. A cancelled response's buffer was dropped;
\* without the response-id check its text still reaches the queue.
LlmSentence ==
    /\ cur > 0 /\ ~textDone /\ emitted < SENTS
    /\ cur \in live \/ MUTANT = "no_response_check"
    /\ emitted' = emitted + 1
    /\ queue' = Append(queue, [r |-> cur, s |-> emitted + 1])
    /\ UNCHANGED <<cur, textDone, live, cancelled, busy, bst, bfail, cool, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>

LlmDone ==
    /\ cur > 0 /\ ~textDone /\ (emitted = SENTS \/ cur \in cancelled)
    /\ textDone' = TRUE
    /\ UNCHANGED <<cur, emitted, live, cancelled, queue, busy, bst, bfail, cool, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>

(***************************************************************************)
(* JS thread                                                               *)
(***************************************************************************)
\* Barge-in on the current response: out of the live set, out of the queue, its request
\* aborted (an abort of the primary is reported as such: never a failure, TT3).
BargeIn ==
    /\ cur \in live
    /\ live' = live \ {cur}
    /\ cancelled' = cancelled \cup {cur}
    /\ queue' = IF MUTANT = "no_response_check" THEN queue ELSE SelectSeq(queue, LAMBDA x : x.r /= cur)
    /\ IF busy.r = cur
         THEN /\ busy' = NoReq
              /\ IF busy.p = "P"
                   THEN IF MUTANT = "count_aborts"
                          THEN Breaker([type |-> "PRIMARY_FAILED"])
                          ELSE Breaker([type |-> "PRIMARY_ABORTED", probe |-> busy.probe])
                   ELSE UNCHANGED <<bst, bfail, cool>>
         ELSE UNCHANGED <<busy, bst, bfail, cool>>
    /\ UNCHANGED <<cur, emitted, textDone, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>

\* The speaker takes the next sentence.
Dequeue ==
    /\ busy.r = 0 /\ queue /= <<>>
    /\ LET h == Head(queue)
           k == Key(h.r, h.s)
           skip == h.r \notin live /\ MUTANT /= "no_response_check"
       IN /\ queue' = Tail(queue)
          /\ badSend' = (badSend \/ (~skip /\ h.r \in cancelled /\ ~Cached(cache, k)))
          /\ badSpeak' = (badSpeak \/ (~skip /\ h.r \in cancelled /\ Cached(cache, k)))
          /\ IF skip
               THEN UNCHANGED <<busy, bst, bfail, cool, cache, badRate>>
             ELSE IF Cached(cache, k)
               \* A hit is written whole, converted from the rate it was stored with.
               THEN /\ cache' = Touch(cache, k)
                    /\ badRate' = (badRate \/ (IF MUTANT = "rate_from_primary" THEN Rate["P"] ELSE cache[IndexOf(cache, k)].rate)
                                               /= cache[IndexOf(cache, k)].rate)
                    /\ UNCHANGED <<busy, bst, bfail, cool>>
             ELSE IF BM!HasTag(bst, "tts.primary")
               THEN /\ busy' = [r |-> h.r, s |-> h.s, p |-> "P", n |-> 0, probe |-> FALSE]
                    /\ UNCHANGED <<bst, bfail, cool, cache, badRate>>
             ELSE IF BM!HasTag(bst, "tts.probe")
               THEN /\ busy' = [r |-> h.r, s |-> h.s, p |-> "P", n |-> 0, probe |-> TRUE]
                    /\ Breaker([type |-> "PROBE_STARTED"])
                    /\ UNCHANGED <<cache, badRate>>
             ELSE /\ busy' = [r |-> h.r, s |-> h.s, p |-> "F", n |-> 0, probe |-> FALSE]
                  /\ UNCHANGED <<bst, bfail, cool, cache, badRate>>
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, others, net, fails, genuine>>

\* A chunk reaches JS: written only while its response is live (late chunks of an aborted
\* request are dropped here), converted from the rate of the provider that produced it.
Receive ==
    /\ net /= <<>>
    /\ LET c == Head(net) IN
         /\ net' = Tail(net)
         /\ IF c.r \in live
              THEN /\ badSpeak' = (badSpeak \/ c.r \in cancelled)
                   /\ badRate' = (badRate \/ ConvertFrom(c.p) /= Rate[c.p])
              ELSE UNCHANGED <<badSpeak, badRate>>
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, busy, bst, bfail, cool, cache, others, fails, genuine, badSend>>

CooldownFires ==
    /\ cool
    /\ Breaker([type |-> "TIMER_FIRED", timer |-> "cooldown"])
    /\ cool' = FALSE
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, busy, cache, others, net, fails, genuine, badSend, badSpeak, badRate>>

(***************************************************************************)
(* TTS socket                                                              *)
(***************************************************************************)
Produce ==
    /\ busy.r /= 0 /\ busy.n < CHUNKS
    /\ net' = Append(net, [r |-> busy.r, s |-> busy.s, p |-> busy.p])
    /\ busy' = [busy EXCEPT !.n = @ + 1]
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, bst, bfail, cool, cache, others, fails, genuine, badSend, badSpeak, badRate>>

\* The sentence's last chunk has been handled: done; the audio goes into the cache.
Complete ==
    /\ busy.r /= 0 /\ busy.n = CHUNKS /\ net = <<>>
    /\ busy' = NoReq
    /\ cache' = Put(cache, Key(busy.r, busy.s), Me, CHUNKS, Rate[busy.p])
    /\ IF busy.p = "P"
         THEN /\ Breaker([type |-> "PRIMARY_OK"])
              /\ genuine' = 0
         ELSE UNCHANGED <<bst, bfail, cool, genuine>>
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, others, net, fails, badSend, badSpeak, badRate>>

\* The primary fails (error, drop, timeout) after the chunks it sent were handled. Before any
\* audio, the fallback says the whole sentence.
PrimaryFails ==
    /\ busy.r /= 0 /\ busy.p = "P" /\ net = <<>> /\ fails < FAILS
    /\ fails' = fails + 1
    /\ genuine' = Min(genuine + 1, THRESH + 1)
    /\ Breaker([type |-> "PRIMARY_FAILED"])
    /\ busy' = IF busy.n = 0 /\ busy.r \in live THEN [busy EXCEPT !.p = "F", !.probe = FALSE] ELSE NoReq
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, cache, others, net, badSend, badSpeak, badRate>>

(***************************************************************************)
(* Other calls                                                             *)
(***************************************************************************)
OtherPut ==
    /\ others < OTHERS
    /\ others' = others + 1
    /\ \E n \in 1..CALLCAP : cache' = Put(cache, OtherKey + others, "other", n, 24)
    /\ UNCHANGED <<cur, emitted, textDone, live, cancelled, queue, busy, bst, bfail, cool, net, fails, genuine, badSend, badSpeak, badRate>>

(***************************************************************************)
Init ==
    /\ cur = 0 /\ emitted = 0 /\ textDone = FALSE
    /\ live = {} /\ cancelled = {} /\ queue = <<>> /\ busy = NoReq
    /\ bst = BM!Initial /\ bfail = 0 /\ cool = FALSE
    /\ cache = <<>> /\ others = 0
    /\ net = <<>> /\ fails = 0
    /\ genuine = 0 /\ badSend = FALSE /\ badSpeak = FALSE /\ badRate = FALSE

\* Everything said, nothing in flight: the run is over (not a deadlock).
Finished ==
    /\ cur = RESPS /\ textDone /\ queue = <<>> /\ busy.r = 0 /\ net = <<>>
    /\ UNCHANGED vars

Next == LlmCreate \/ LlmSentence \/ LlmDone \/ BargeIn \/ Dequeue \/ Receive \/ CooldownFires
        \/ Produce \/ Complete \/ PrimaryFails \/ OtherPut \/ Finished

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
TypeOK ==
    /\ cur \in 0..RESPS /\ emitted \in 0..SENTS /\ textDone \in BOOLEAN
    /\ live \subseteq R /\ cancelled \subseteq R
    /\ bst \in BM!States /\ bfail \in 0..THRESH /\ cool \in BOOLEAN
    /\ busy.r \in 0..RESPS /\ busy.p \in Providers /\ busy.n \in 0..CHUNKS
    /\ Len(net) <= RESPS * CHUNKS /\ fails \in 0..FAILS

\* TT1: no sentence of a cancelled response is sent to TTS or spoken.
TT1_NoCancelledSpeech == ~badSend /\ ~badSpeak

\* TT2: each TTS chunk is resampled from the rate of the provider that produced it.
TT2_OwnProviderRate == ~badRate

\* TT3: user aborts never count as provider failures: the breaker's count never exceeds the
\* primary's genuine consecutive failures.
TT3_AbortsNeverCount == bfail <= genuine

\* TT4: cached TTS bytes stay under the configured caps, for the process and for each call.
TT4_CacheUnderCaps ==
    /\ Bytes(cache) <= PROCCAP
    /\ \A o \in Owners : OwnerBytes(cache, o) <= CALLCAP

=============================================================================
