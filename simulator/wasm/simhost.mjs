// The simulator's host bridge for the MicroPython WebAssembly interpreter.
//
// The wasm port has no `machine`, no `os.urandom` and no `cryptolib`; the
// simulated board gets those from here through MicroPython's `js` bridge,
// registered as the Python module `simhost`. simulator/cpython/simhost.py
// is the same interface for the CPython runtime. Bytes cross the bridge as
// hex strings (Python -> JS) and Uint8Array (JS -> Python, `bytes(x)`).
import fs from "fs";
import path from "path";
import crypto from "crypto";
import { fileURLToPath } from "url";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export const simhost = {
  argv() { return "[]"; },
  // Non-blocking read: Uint8Array (empty at EOF), or null when nothing is there.
  read(fd, n) {
    const buf = new Uint8Array(n);
    try {
      return buf.subarray(0, fs.readSync(fd, buf, 0, n, null));
    } catch (e) {
      if (e.code === "EAGAIN" || e.code === "EWOULDBLOCK") return null;
      if (e.code === "EIO") return new Uint8Array(0); // pty whose other side closed
      throw e;
    }
  },
  write(fd, hex) {
    const data = Buffer.from(hex, "hex");
    let off = 0;
    while (off < data.length) {
      try {
        off += fs.writeSync(fd, data, off, data.length - off);
      } catch (e) {
        if (e.code !== "EAGAIN") throw e;
        Atomics.wait(sleeper, 0, 0, 1);
      }
    }
    return off;
  },
  sleep_ms(ms) { if (ms > 0) Atomics.wait(sleeper, 0, 0, ms); },
  random(n) { return new Uint8Array(crypto.randomBytes(n)); },
  aes_ecb_encrypt(keyHex, blockHex) {
    const key = Buffer.from(keyHex, "hex");
    const c = crypto.createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
    c.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([c.update(Buffer.from(blockHex, "hex")), c.final()]));
  },
  file_read(p) {
    try { return new Uint8Array(fs.readFileSync(p)); } catch (e) { return null; }
  },
  file_write_atomic(p, hex) {
    const tmp = p + ".tmp";
    fs.writeFileSync(tmp, Buffer.from(hex, "hex"));
    fs.renameSync(tmp, p);
    return 0;
  },
};

// Copy every .py file under `src` into the interpreter's in-memory FS at `dst`.
export function copyTree(mp, src, dst) {
  mp.FS.mkdirTree(dst);
  for (const ent of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, ent.name);
    if (ent.isDirectory()) {
      if (ent.name !== "__pycache__") copyTree(mp, s, dst + "/" + ent.name);
    } else if (ent.name.endsWith(".py")) {
      mp.FS.writeFile(dst + "/" + ent.name, fs.readFileSync(s));
    }
  }
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// A MicroPython interpreter with the firmware and the protocol codec on sys.path.
export async function loadFirmwareInterpreter({ heapMb = 8, extraPaths = [] } = {}) {
  const mp = await loadMicroPython({
    heapsize: heapMb * 1024 * 1024,
    stdout: (line) => process.stdout.write(line + "\n"),
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  mp.registerJsModule("simhost", simhost);
  const paths = [
    ["firmware", "/fw"],
    ["protocol", "/proto"],
    ["simulator/board_sim", "/simboard"],
    ["simulator/wasm/py", "/simshims"],
    ...extraPaths.map((p, i) => [p, `/extra${i}`]),
  ];
  for (const [src, dst] of paths) copyTree(mp, path.resolve(repoRoot, src), dst);
  runOrExit(mp, `import sys\nsys.path[:0] = ${JSON.stringify(paths.map(([, d]) => d))}`);
  return mp;
}

// Run Python code, turning an uncaught Python exception into exit status 1.
export function runOrExit(mp, code) {
  try {
    mp.runPython(code);
  } catch (error) {
    if (error.name !== "PythonError") throw error;
    if (error.type === "SystemExit") {
      const m = /(\d+)/.exec(error.message || "");
      process.exit(m ? Number(m[1]) : 0);
    }
    process.stderr.write(error.message + "\n");
    process.exit(1);
  }
}
