// Java and Maven, found on PATH (or JAVA_HOME / PARLEY_JAVA). A missing tool is one line that
// says what to install.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

/** The java executable: PARLEY_JAVA, then $JAVA_HOME/bin/java, then `java` on PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PARLEY_JAVA) return env.PARLEY_JAVA;
  if (env.JAVA_HOME) return join(env.JAVA_HOME, 'bin', 'java');
  return 'java';
}

/** Parses the major version out of `java -version` output ("17.0.15", "1.8.0_392" → 8). */
export function javaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m?.[1]) return undefined;
  const major = Number(m[1]);
  return major === 1 && m[2] ? Number(m[2]) : major;
}

/** Throws a PrerequisiteError unless Java 11+ runs. Returns the command and major version. */
export function requireJava(env: NodeJS.ProcessEnv = process.env): { java: string; major: number } {
  const java = javaCommand(env);
  const res = spawnSync(java, ['-version'], { encoding: 'utf8', env });
  if (res.error || res.status !== 0) {
    throw new PrerequisiteError(`parley verify: Java not found ('${java}'); install a JDK 11 or newer (Debian: apt-get install default-jdk-headless)`);
  }
  const major = javaMajor(`${res.stderr}${res.stdout}`);
  if (major === undefined || major < 11) {
    throw new PrerequisiteError(`parley verify: Java ${major ?? '?'} is too old for TLC; install a JDK 11 or newer (Debian: apt-get install default-jdk-headless)`);
  }
  return { java, major };
}

/** Throws a PrerequisiteError unless `mvn -v` runs. */
export function requireMaven(env: NodeJS.ProcessEnv = process.env): string {
  const mvn = env.PARLEY_MVN ?? 'mvn';
  const res = spawnSync(mvn, ['-v'], { encoding: 'utf8', env });
  if (res.error || res.status !== 0) {
    throw new PrerequisiteError(`parley verify: Maven not found ('${mvn}'); install Maven to fetch TLC (Debian: apt-get install maven)`);
  }
  return mvn;
}
