// Run a Python script under the real MicroPython interpreter (WebAssembly),
// with firmware/, protocol/ and the simulated board on sys.path.
//   node simulator/wasm/run.mjs [--heap MB] [--path DIR]... SCRIPT.py [ARGS...]
// The script reads its arguments as json.loads(simhost.argv()): [SCRIPT, ARGS...]
// (the wasm port's sys has no argv). Exit status 1 on an exception.
import fs from "fs";
import path from "path";
import { loadFirmwareInterpreter, runOrExit, simhost } from "./simhost.mjs";

const argv = process.argv.slice(2);
let heapMb = 8;
const extraPaths = [];
while (argv.length && argv[0].startsWith("--")) {
  const flag = argv.shift();
  if (flag === "--heap") heapMb = Number(argv.shift());
  else if (flag === "--path") extraPaths.push(path.resolve(argv.shift()));
  else { console.error(`unknown flag ${flag}`); process.exit(2); }
}
if (!argv.length) { console.error("usage: run.mjs [--heap MB] [--path DIR]... SCRIPT.py [ARGS...]"); process.exit(2); }
const script = path.resolve(argv[0]);
const mp = await loadFirmwareInterpreter({ heapMb, extraPaths: [path.dirname(script), ...extraPaths] });
simhost.argv = () => JSON.stringify(argv);
runOrExit(mp, fs.readFileSync(script, "utf8"));

// A script that defines pump() wants to be driven from here: call it until it returns 0,
// yielding to the event loop between calls (1: busy, 2: idle) so the interpreter's GC can run.
const pump = mp.globals.get("pump");
if (pump) {
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const rest = () => new Promise((resolve) => setTimeout(resolve, 1));
  for (;;) {
    let state;
    try {
      state = pump();
    } catch (error) {
      process.stderr.write((error.message || String(error)) + "\n");
      process.exit(1);
    }
    if (state === 0) break;
    await (state === 2 ? rest() : tick());
  }
}
