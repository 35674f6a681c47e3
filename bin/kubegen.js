#!/usr/bin/env node
// The `kubegen` command: runs the compiled generator CLI (`npm run build` makes dist/).
import { main } from "../dist/generator/cli.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
