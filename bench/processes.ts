/**
 * What the benchmark's drivers share: their settings from the environment, the child processes
 * that serve and measure (each a fresh Node process running a TypeScript file of this folder
 * through tsx, talking back over IPC), and medians.
 */
import { fork } from "node:child_process";
import { resolve } from "node:path";

const here = import.meta.dirname;
export const repo = resolve(here, "..");

/** A positive integer from the environment variable `name`, else `fallback`. */
export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`${name}: expected a positive integer, got ${text}`);
  return value;
}

/** Forks a TypeScript file of this folder (through tsx); the child talks back over IPC. */
export function forkTs(file: string, args: string[], execArgv: string[] = []) {
  return fork(resolve(here, file), args, {
    cwd: repo,
    execArgv: [...execArgv, "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** The first message of a child, or its failure. */
export function firstMessage<T>(child: ReturnType<typeof fork>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once("message", (message) => resolve(message as T));
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`${what} exited (${signal ?? code}) before answering`)),
    );
  });
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
