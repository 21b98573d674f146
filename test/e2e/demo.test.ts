// `parley demo` in-process: the README's first command must print its timeline and figures and
// write the recording, the trace and the HTML report; the call ends with the agent's goodbye and
// end_call, heard in full, one hang-up at the platform (the fake Twilio REST).
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/demo.js';

describe('parley demo', () => {
  it('runs one offline call with a greeting, a barge-in, a tool round trip, a reconnect and the agent hanging up, prints the timeline, writes the report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'parley-demo-test-'));
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string | Uint8Array) => {
      chunks.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    const t0 = Date.now();
    try {
      code = await run(['--out', out]);
    } finally {
      process.stdout.write = write;
    }
    const text = chunks.join('');
    expect(code, text).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(text).toMatch(/caller {2}starts speaking \(barge-in after \d+ ms of agent audio\)/);
    expect(text).toMatch(/parley {2}barge-in: requestFlush, sendClear, sendTruncate/);
    expect(text).toMatch(/parley {2}AI link open → backoff/);
    expect(text).toMatch(/stale agent frames after the cut +0\n/);
    expect(text).toMatch(/reconnects +1 of 1 attempt\(s\) succeeded/);
    // The agent speaks first: the greeting is heard before the caller says anything.
    expect(text).toMatch(/parley {2}greeting requested first \(response\.create, profile default\)/);
    expect(text.indexOf('caller  hears the agent')).toBeLessThan(text.indexOf('caller  starts speaking'));
    // The tool round trip, with its latency, on the timeline and in the figures.
    expect(text).toMatch(/agent {3}calls tool lookup_order \(/);
    expect(text).toMatch(/parley {2}tool lookup_order → ok in \d+ ms/);
    expect(text).toMatch(/parley {2}function_call_output ×1 sent/);
    expect(text).toMatch(/tool round trip +lookup_order → ok in \d+ ms \(the demo's order service, signature verified\)/);
    // The goodbye after the reconnect (the sim-agent's script is keyed to the caller's 4th turn of
    // the conversation, not to a connection): all of it heard, one platform hang-up.
    const bye = /goodbye \(end_call\) +the agent said (\d+) ms, the caller heard (\d+) ms; frames missing (\d+); platform hang-ups (\d+)/.exec(text);
    expect(bye, text).not.toBeNull();
    expect(Number(bye![1])).toBeGreaterThanOrEqual(1000);
    expect(Number(bye![2])).toBeGreaterThanOrEqual(Number(bye![1]) - 20);
    expect(Number(bye![3])).toBe(0);
    expect(Number(bye![4])).toBe(1);
    const err = /audio_end_ms \d+ vs heard \d+ ms \(error (\d+) ms\)/.exec(text);
    expect(Number(err?.[1])).toBeLessThanOrEqual(40);
    const files = readdirSync(out);
    expect(files).toContain('report.html');
    expect(files.some((f) => f.endsWith('.wav'))).toBe(true);
    const trace = files.find((f) => f.endsWith('.ndjson'));
    expect(trace).toBeDefined();
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toMatch(/tool lookup_order → ok in \d+ ms/);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(existsSync(join(out, trace!))).toBe(true);
    // Parley's own call record beside the report: events ending in call.ended, the transcript, its recording.
    const events = readFileSync(join(out, 'record', 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; recording?: string; reason?: string; name?: string });
    expect(events[0]!.type).toBe('call.started');
    const end = events.at(-1)!;
    expect(end.type).toBe('call.ended');
    expect(end.reason).toBe('agent_ended');
    expect(events.filter((e) => e.type === 'call.tool').map((e) => e.name)).toEqual(['lookup_order', 'end_call']);
    expect(existsSync(end.recording!)).toBe(true);
    const turns = JSON.parse(readFileSync(join(out, 'record', 'transcript.json'), 'utf8')) as { role: string }[];
    expect(turns.some((t) => t.role === 'caller') && turns.some((t) => t.role === 'agent')).toBe(true);
  });
});
