/**
 * The one table-driven loop of the test suite: each case is `[name, { given, want }]` and the
 * loop compares `run(given)` with `want`, so no copy of the loop can drift.
 */
import { expect, it } from "vitest";

export type Cases<G, W> = [name: string, testCase: { given: G; want: W }][];

export function runCases<G, W>(cases: Cases<G, W>, run: (given: G) => W | Promise<W>): void {
  for (const [name, { given, want }] of cases) {
    it(name, async () => {
      expect(await run(given)).toEqual(want);
    });
  }
}
