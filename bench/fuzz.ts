// `npm run bench -- fuzz [--inputs N] [--only twilio,openai,…] [--seed S] [--jobs N] [--native-seconds S] [--no-native] [--no-merge]`
//
// Protocol fuzzing at scale (issue 10 items 1–2): N generated inputs (default 10^6) per
// protocol through the real parsers/decoders (bench/_fuzz-*.ts: grammar-aware generators and
// the protocol's rules as properties; protocols run in --jobs processes, default 2), then the libFuzzer targets of the native core under
// ASan + UBSan (native/fuzz/run.mjs, default 200 s per target, two at a time: ≥ 10 minutes),
// with the new corpus units minimised into native/fuzz/corpus/. Prints per-protocol inputs,
// outcomes by reason, crashes and property violations, and one JSON object last.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { elevenLabsTarget, openaiTarget } from './_fuzz-ai.js';
import { configTarget } from './_fuzz-config.js';
import { audioStreamTarget, twilioTarget } from './_fuzz-telephony.js';
import { audiosocketTarget, vonageTarget } from './_fuzz-binary-platforms.js';
import { PLATFORM_TARGETS } from './_fuzz-platforms.js';
import { runOne, Tally, type FuzzTarget } from './_fuzz-target.js';

const root = fileURLToPath(new URL('../..', import.meta.url)); // dist/bench → repo root
const TARGETS: readonly FuzzTarget<never>[] = [twilioTarget, audioStreamTarget, ...PLATFORM_TARGETS, audiosocketTarget, vonageTarget, openaiTarget, elevenLabsTarget, configTarget] as FuzzTarget<never>[];
const BATCH = 5000;

interface Failure {
  readonly kind: 'crash' | 'violation';
  readonly error: string;
  readonly input: string;
}

function excerpt(input: unknown): string {
  const s = JSON.stringify(input, (_k, v: unknown) => (Buffer.isBuffer(v) ? `<${v.length} B>` : typeof v === 'object' && v !== null && 'type' in v && (v as { type: unknown }).type === 'Buffer' ? '<bytes>' : v));
  return s.length > 600 ? `${s.slice(0, 600)}…(${s.length})` : s;
}

async function fuzzProtocol(target: FuzzTarget<never>, inputs: number, seed: number) {
  const tally = new Tally();
  const failures: Failure[] = [];
  let crashes = 0;
  let violations = 0;
  const t0 = performance.now();
  for (let done = 0, batch = 0; done < inputs; batch++) {
    const n = Math.min(BATCH, inputs - done);
    for (const input of fc.sample(target.arbitrary, { numRuns: n, seed: seed + batch })) {
      const r = runOne(target, input, tally);
      if (!r.ok) {
        if (r.crash) crashes++;
        else violations++;
        if (failures.length < 5) failures.push({ kind: r.crash ? 'crash' : 'violation', error: `${r.error.name}: ${r.error.message}`.slice(0, 400), input: excerpt(input) });
      }
    }
    done += n;
    // Let timers (and the process) breathe between batches.
    await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    inputs: tally.inputs + crashes + violations,
    messages: tally.messages,
    seconds: Math.round(seconds * 10) / 10,
    inputsPerSecond: Math.round((tally.inputs + crashes + violations) / seconds),
    accepted: tally.by('accepted'),
    rejections: { ...tally.by('rejected'), ...tally.by('ignored') },
    unused: tally.counts.get('unused') ?? 0,
    crashes,
    violations,
    failures,
  };
  process.stdout.write(`${target.protocol.padEnd(13)} ${result.inputs} inputs (${result.messages} messages) in ${result.seconds}s, crashes ${crashes}, violations ${violations}\n`);
  return result;
}

type ProtocolResult = Awaited<ReturnType<typeof fuzzProtocol>>;

/** One protocol in a child process (this bench with --only), for the second core. */
function inChild(protocol: string, inputs: number, seed: number): Promise<ProtocolResult> {
  return new Promise((resolve, reject) => {
    const args = [`${root}dist/bench/main.js`, 'fuzz', '--only', protocol, '--inputs', String(inputs), '--seed', String(seed), '--no-native', '--jobs', '1'];
    const child = spawn(process.execPath, ['--no-warnings', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.on('exit', (code) => {
      const lines = out.trim().split('\n');
      for (const l of lines) if (!l.startsWith('{')) process.stdout.write(`${l}\n`);
      const last = lines.filter((l) => l.startsWith('{')).at(-1);
      const result = last ? (JSON.parse(last) as { protocols: Record<string, ProtocolResult> }).protocols[protocol] : undefined;
      if (result) resolve(result);
      else reject(new Error(`fuzz child for ${protocol} exited ${code} without a result`));
    });
  });
}

function runNative(seconds: number, merge: boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const args = ['native/fuzz/run.mjs', '--seconds', String(seconds), '--jobs', '2', ...(merge ? ['--merge'] : [])];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      process.stdout.write(d);
    });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
      resolve(line ? (JSON.parse(line) as Record<string, unknown>) : { ok: false, error: `native fuzz exited ${code} without JSON` });
    });
  });
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      inputs: { type: 'string', default: '1000000' },
      only: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'native-seconds': { type: 'string', default: '200' },
      'no-native': { type: 'boolean', default: false },
      'no-merge': { type: 'boolean', default: false },
      jobs: { type: 'string', default: '2' },
    },
  });
  const inputs = Math.max(1, Number(values.inputs));
  const seed = Number(values.seed);
  const only = values.only?.split(',');
  const chosen = TARGETS.filter((t) => !only || only.includes(t.protocol));
  const jobs = Math.max(1, Number(values.jobs));
  const protocols: Record<string, ProtocolResult> = {};
  if (jobs === 1 || chosen.length === 1) {
    for (const t of chosen) protocols[t.protocol] = await fuzzProtocol(t, inputs, seed * 1_000_003);
  } else {
    const queue = chosen.map((t) => t.protocol);
    await Promise.all(
      Array.from({ length: Math.min(jobs, queue.length) }, async () => {
        for (let p = queue.shift(); p !== undefined; p = queue.shift()) protocols[p] = await inChild(p, inputs, seed);
      }),
    );
  }
  const native = values['no-native'] ? undefined : await runNative(Math.max(1, Number(values['native-seconds'])), !values['no-merge']);
  const nativeTargets = (native?.['targets'] ?? []) as { crashes: number; leaks: number; runs: number }[];
  const summary = {
    bench: 'fuzz',
    seed,
    inputsPerProtocol: inputs,
    protocols,
    native,
    totals: {
      inputs: Object.values(protocols).reduce((a, p) => a + p.inputs, 0),
      nativeRuns: nativeTargets.reduce((a, t) => a + t.runs, 0),
      crashes: Object.values(protocols).reduce((a, p) => a + p.crashes, 0) + nativeTargets.reduce((a, t) => a + t.crashes, 0),
      violations: Object.values(protocols).reduce((a, p) => a + p.violations, 0),
      leaks: nativeTargets.reduce((a, t) => a + t.leaks, 0),
    },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
