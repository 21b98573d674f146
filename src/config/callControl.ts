// The `callControl:` section of the config file (file only): which built-in call-control tools
// the model gets, where transfer_call may send a caller (names → destinations: the model picks a
// name, never a number), how long the goodbye may take, and the call's timeouts. And the
// `platform` settings (environment): how Parley reaches Twilio's REST API and FreeSWITCH's
// event socket to act on a call.
import { z } from 'zod';

export const CALL_CONTROL_TOOLS = ['end_call', 'transfer_call', 'send_dtmf'] as const;
export type CallControlTool = (typeof CALL_CONTROL_TOOLS)[number];

/** A transfer target's name, as the model sees it in the tool's enum. */
export const TARGET_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** A destination: an E.164 number, a SIP URI, or a FreeSWITCH extension (dialplan name). */
export const DESTINATION = /^(\+?[0-9]{2,20}|sips?:[^\s<>"']{3,200}|[a-zA-Z0-9_.+-]{1,64})$/;
export const MAX_TRANSFER_TARGETS = 32;

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

export const callControlSchema = z
  .strictObject({
    tools: z.array(z.enum(CALL_CONTROL_TOOLS)).max(3).default([]),
    endCallMaxWaitMs: ms(500, 60_000).default(10_000),
    transferTargets: z
      .record(z.string().regex(TARGET_NAME, 'a transfer target name is 1–64 of a-z A-Z 0-9 _ -'), z.string().regex(DESTINATION, 'is not a number, a SIP URI or an extension'))
      .default({})
      .refine((t) => Object.keys(t).length <= MAX_TRANSFER_TARGETS, `at most ${MAX_TRANSFER_TARGETS} transfer targets`),
    /** 0 = off. */
    idleTimeoutMs: ms(0, 3_600_000).default(0),
    idleEndMs: ms(1000, 600_000).default(10_000),
    /** 0 = off. */
    maxCallMs: ms(0, 24 * 3_600_000).default(0),
    /** Response instructions: the idle prompt, and the closing line when maxCallMs passes. */
    idlePrompt: z.string().min(1).max(500).default('Ask the caller, briefly, whether they are still there.'),
    closingLine: z.string().min(1).max(500).default('Tell the caller, briefly, that the call has reached its time limit and say goodbye.'),
    /** Digits pressed are batched until this long after the last one. */
    dtmfInterDigitMs: ms(100, 10_000).default(1500),
    /**
     * A batch of keys ends the caller's turn: a response is asked for right after its item (once
     * the agent's current response, if any, is done). false: the item waits for the caller's next
     * spoken turn. A profile's `dtmfEndsTurn` overrides it.
     */
    dtmfEndsTurn: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    if (c.tools.includes('transfer_call') && Object.keys(c.transferTargets).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['transferTargets'], message: 'must name at least one target when transfer_call is enabled' });
    }
    if (new Set(c.tools).size !== c.tools.length) ctx.addIssue({ code: 'custom', path: ['tools'], message: 'lists a tool twice' });
  })
  .prefault({})
  .describe('(file only) built-in call-control tools and timeouts: {tools, endCallMaxWaitMs, transferTargets, idleTimeoutMs, idleEndMs, maxCallMs, dtmfInterDigitMs, dtmfEndsTurn, …}');

export type CallControlConfig = z.output<typeof callControlSchema>;
