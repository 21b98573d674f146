// The test suites' prerequisites outside npm — one list, here — checked before `npm test` runs
// anything, and installed with apt-get when missing (as root, or through password-less sudo).
// Prints one line: that nothing is missing, what it installs, or — when installing is
// impossible (no apt-get, not root and no `sudo -n`) — what is missing; exit 1 then, never a
// silent skip. `.ci/run` relies on it too (through npm test).
//
//   node scripts/prereqs.mjs          check, install what is missing, check again
//
// Test hooks (test/scripts/prereqs.test.ts): PARLEY_PREREQS_PRETEND_MISSING=chromium,tlc-jar
// treats those entries as missing; PARLEY_PREREQS_PRETEND=no-root,sudo,no-apt,dry-run pretends
// the machine is so (dry-run prints the commands instead of running them).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An executable of that name on PATH (or in `extra` directories). No process is spawned. */
function onPath(name, extra = []) {
  return [...(env.PATH ?? '').split(delimiter), ...extra].some((d) => d && executable(join(d, name)));
}

/** Whether any directory in `dirs` (globs of one `*` level: `/usr/lib/*`) holds `rel`. */
function anyFile(dirs, rel) {
  const expand = (d) => {
    const star = d.indexOf('*');
    if (star < 0) return [d];
    const parent = d.slice(0, star);
    try {
      return readdirSync(parent).map((e) => join(parent, e, d.slice(star + 2)));
    } catch {
      return [];
    }
  };
  return dirs.flatMap(expand).some((d) => existsSync(join(d, rel)));
}

const LIB_DIRS = ['/usr/lib', '/usr/lib/*', '/usr/lib64', '/usr/local/lib', '/usr/local/lib64'];
const FUZZ_ARCH = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch;

/**
 * What the suites need, each with the Debian package that provides it and a probe that looks
 * where the suite itself looks (so "present" here means the suite finds it).
 */
const NEEDS = [
  { apt: 'g++', what: 'C++ compiler', present: () => onPath('g++') },
  { apt: 'make', what: 'node-gyp', present: () => onPath('make') },
  { apt: 'python3', what: 'node-gyp', present: () => onPath('python3') },
  { apt: 'cmake', what: 'native tests', present: () => onPath('cmake') },
  { apt: 'libgtest-dev', what: 'native tests', present: () => anyFile(LIB_DIRS, 'cmake/GTest/GTestConfig.cmake') },
  {
    apt: 'default-jdk-headless',
    what: 'TLC',
    present: () => (env.PARLEY_JAVA ? executable(env.PARLEY_JAVA) : env.JAVA_HOME ? executable(join(env.JAVA_HOME, 'bin', 'java')) : onPath('java')),
  },
  { apt: 'maven', what: 'fetches the TLC jar', present: () => (env.PARLEY_MVN ? executable(env.PARLEY_MVN) || onPath(env.PARLEY_MVN) : onPath('mvn')) },
  { apt: 'chromium', what: 'visualiser browser test', present: () => executable(env.PARLEY_CHROMIUM ?? '/usr/bin/chromium') },
  { apt: 'haproxy', what: 'fleet test', present: () => onPath('haproxy', ['/usr/sbin', '/usr/local/sbin', '/sbin']) },
  { apt: 'clang-14', what: 'fuzz targets', present: () => onPath('clang++-14') },
  {
    apt: 'libclang-rt-14-dev',
    what: 'libFuzzer runtime',
    present: () => anyFile(['/usr/lib/llvm-14/lib/clang/*'], `lib/linux/libclang_rt.fuzzer-${FUZZ_ARCH}.a`),
  },
];

/** The pinned TLC jar: not a Debian package; fetched with Maven once Java and Maven are there. */
const TLC = { id: 'tlc-jar', what: 'the pinned TLC jar' };

const pretendMissing = new Set((env.PARLEY_PREREQS_PRETEND_MISSING ?? '').split(',').filter(Boolean));
const pretend = new Set((env.PARLEY_PREREQS_PRETEND ?? '').split(',').filter(Boolean));
const dryRun = pretend.has('dry-run');

function fail(line) {
  console.log(`prereqs: ${line}`);
  process.exit(1);
}

/** The TLC jar module from dist/ (built by scripts/build-ts.mjs, which npm test runs first). */
async function tlcModule() {
  const path = `${root}dist/src/tools/verify/tlcJar.js`;
  if (!existsSync(path)) fail('cannot check the pinned TLC jar: dist/ is not built (run npm run build:ts)');
  return import(pathToFileURL(path).href);
}

/** What is missing; `pretending` applies the test hook (the check after installing looks for real). */
function missingNeeds(pretending) {
  return NEEDS.filter((n) => (pretending && pretendMissing.has(n.apt)) || !n.present());
}

function tlcMissing(tlc) {
  return pretendMissing.has(TLC.id) || tlc.cachedTlcJar(env) === undefined;
}

/** How to run apt-get here: [] as root, ['sudo', '-n'] with password-less sudo, else a reason. */
function aptPrefix() {
  if (pretend.has('no-apt') || !onPath('apt-get', ['/usr/bin', '/bin'])) return { why: 'no apt-get on this machine' };
  const isRoot = !pretend.has('no-root') && process.getuid?.() === 0;
  if (isRoot) return { prefix: [] };
  const sudo = pretend.has('sudo') || (!pretend.has('no-root') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0);
  return sudo ? { prefix: ['sudo', '-n'] } : { apt: true, why: 'not root and no password-less sudo' };
}

function aptGet(prefix, args) {
  const cmd = [...prefix, 'apt-get', ...args];
  if (dryRun) {
    console.log(`prereqs: dry run: ${cmd.join(' ')}`);
    return;
  }
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    const why = `${r.stderr ?? ''}${r.error?.message ?? ''}`.trim().split('\n').at(-1) ?? '';
    fail(`'${cmd.join(' ')}' failed (exit ${r.status ?? 'signal'}): ${why}`);
  }
}

const started = performance.now();
const tlc = await tlcModule();
const missing = missingNeeds(true);
const jarMissing = tlcMissing(tlc);
const names = (needs, jar) => [...needs.map((n) => `${n.apt} (${n.what})`), ...(jar ? [TLC.what] : [])].join(', ');

if (missing.length === 0 && !jarMissing) {
  console.log(`prereqs: nothing missing (${NEEDS.length} packages and the pinned TLC jar checked in ${Math.round(performance.now() - started)} ms)`);
  process.exit(0);
}

if (missing.length > 0) {
  const how = aptPrefix();
  const pkgs = missing.map((n) => n.apt);
  if (!how.prefix) {
    const todo = how.apt ? `as root, \`apt-get install -y ${pkgs.join(' ')}\`` : `install them by hand (Debian names: ${pkgs.join(' ')})`;
    fail(`missing ${names(missing, jarMissing)}; cannot install them (${how.why}): ${todo}, then npm test again`);
  }
  console.log(`prereqs: installing ${pkgs.join(' ')} with ${how.prefix.length ? 'sudo apt-get' : 'apt-get'}${jarMissing ? ` and ${TLC.what} (${tlc.TLC_ARTIFACT}) with Maven` : ''}`);
  aptGet(how.prefix, ['update', '-qq']);
  aptGet(how.prefix, ['install', '-y', '-qq', ...pkgs]);
} else {
  console.log(`prereqs: fetching ${TLC.what} (${tlc.TLC_ARTIFACT}) with Maven`);
}
if (dryRun) process.exit(0);

const still = missingNeeds(false);
if (still.length > 0) fail(`still missing after apt-get install: ${names(still, false)}`);
if (jarMissing) {
  try {
    tlc.ensureTlcJar(env);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}
process.exit(0);
