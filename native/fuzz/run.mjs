// Builds the libFuzzer targets (native/fuzz/*_fuzz.cc, clang, ASan + UBSan) and runs each for a
// time budget over its corpus (native/fuzz/corpus/<target>/), two at a time. Prints one line per
// target and, last, one JSON object: per target runs, new units, crashes, leaks, peak RSS.
//
//   node native/fuzz/run.mjs [--seconds N] [--jobs N] [--only a,b] [--merge]
//
// Without --merge the repository corpus is read-only (new units go to .build/fuzz/new/); with
// --merge the new units are minimised into the repository corpus afterwards (the bench does
// this). Exit 1 when a target crashed, leaked or failed to build; 2 when clang is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = `${root}native/fuzz`;
const out = `${root}.build/fuzz`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    jobs: { type: 'string', default: '2' },
    only: { type: 'string' },
    merge: { type: 'boolean', default: false },
  },
});
const seconds = Math.max(1, Number(values.seconds));
const jobs = Math.max(1, Number(values.jobs));

/** clang++ from PARLEY_FUZZ_CXX or PATH; clang++-14 first, whose runtimes .ci/run installs (Debian bookworm). */
function findClang() {
  const names = [process.env.PARLEY_FUZZ_CXX, 'clang++-14', 'clang++', 'clang++-16', 'clang++-15'].filter(Boolean);
  return names.find((n) => spawnSync(n, ['--version'], { stdio: 'ignore' }).status === 0);
}

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? 1, text: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const cxx = findClang();
if (!cxx) {
  console.log('clang++ not found: apt-get install clang-14 libclang-rt-14-dev (npm test does, scripts/prereqs.mjs)');
  console.log(JSON.stringify({ ok: false, error: 'clang++ not found', targets: [] }));
  process.exit(2);
}
const conf = sh('cmake', ['-S', here, '-B', out, `-DCMAKE_CXX_COMPILER=${cxx}`]);
const build = conf.code === 0 ? sh('cmake', ['--build', out, '-j', String(jobs)]) : conf;
if (build.code !== 0) {
  process.stdout.write(build.text.slice(-6000));
  console.log(JSON.stringify({ ok: false, error: 'build failed', targets: [] }));
  process.exit(1);
}

const only = values.only?.split(',').filter(Boolean);
const targets = readdirSync(here)
  .filter((f) => f.endsWith('_fuzz.cc'))
  .map((f) => f.slice(0, -'_fuzz.cc'.length))
  .filter((t) => !only || only.includes(t));

/** libFuzzer's -print_final_stats lines and the sanitizer verdicts in its output. */
function parseRun(text) {
  const stat = (k) => Number(new RegExp(`stat::${k}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return {
    runs: stat('number_of_executed_units'),
    newUnits: stat('new_units_added'),
    peakRssMb: stat('peak_rss_mb'),
    leaks: (text.match(/ERROR: LeakSanitizer/g) ?? []).length,
    crashes: (text.match(/ERROR: (AddressSanitizer|libFuzzer)|runtime error:|property violated/g) ?? []).length,
  };
}

function runTarget(t) {
  const corpus = `${here}/corpus/${t}`;
  const fresh = `${out}/new/${t}`;
  const artifacts = `${out}/artifacts/${t}/`;
  mkdirSync(corpus, { recursive: true });
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh, { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  const args = [fresh, corpus, `-max_total_time=${seconds}`, '-print_final_stats=1', '-rss_limit_mb=2048', '-timeout=10', `-artifact_prefix=${artifacts}`];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(`${out}/${t}_fuzz`, args, { cwd: root, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' } });
    let text = '';
    const keep = (d) => (text = (text + String(d)).slice(-200_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', (code) => {
      const r = { target: t, seconds: Math.round((performance.now() - t0) / 100) / 10, exit: code, ...parseRun(text) };
      if (code !== 0 && r.crashes === 0 && r.leaks === 0) r.crashes = 1; // a timeout or OOM also counts
      r.corpus = readdirSync(corpus).length;
      if (r.crashes || r.leaks) {
        r.artifacts = readdirSync(artifacts).map((f) => `${artifacts}${f}`);
        process.stdout.write(text.slice(-8000));
      }
      resolve(r);
    });
  });
}

/** Minimises the fresh units into the repository corpus (-merge=1 keeps only new coverage). */
function merge(t) {
  const r = sh(`${out}/${t}_fuzz`, ['-merge=1', `${here}/corpus/${t}`, `${out}/new/${t}`]);
  return r.code === 0 ? readdirSync(`${here}/corpus/${t}`).length : -1;
}

const results = [];
const queue = [...targets];
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
      const r = await runTarget(t);
      if (values.merge && existsSync(`${out}/new/${t}`)) r.corpusAfterMerge = merge(t);
      results.push(r);
      console.log(`${r.crashes || r.leaks ? 'FAIL' : 'ok  '} ${t.padEnd(12)} ${r.runs} runs in ${r.seconds}s, ${r.newUnits} new units, corpus ${r.corpus}, crashes ${r.crashes}, leaks ${r.leaks}`);
    }
  }),
);
results.sort((a, b) => a.target.localeCompare(b.target));
const ok = results.every((r) => r.crashes === 0 && r.leaks === 0);
console.log(JSON.stringify({ ok, compiler: cxx, secondsPerTarget: seconds, targets: results }));
process.exit(ok ? 0 : 1);
