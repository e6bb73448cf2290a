#!/usr/bin/env node
// forge cannot download solc offline, so foundry.toml points here: a solc "binary" backed by the npm
// `solc` package (solc-js). forge asks `--version`, then pipes standard-JSON to stdin; we answer with
// exactly the compiler's JSON on stdout (the solcjs CLI cannot be used: it fails with EAGAIN on large
// stdin and prints a ">>>" banner into its output).
//
// solc-js runs in 32-bit WebAssembly and can die on a big job ("memory access out of bounds": solc 0.8.28
// did on a clean build of our ~110 files; 0.8.30 does not). If the one-shot compile crashes, the job is split:
// every part still parses all sources (same source ids, so the outputs merge cleanly) but asks code only for
// its share of the files, each part in its own process; the parts' `contracts`, `sources` and `errors` are
// merged into one answer.
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const FILES_PER_PART = Number(process.env.SOLC_FILES_PER_PART || 24);
const PARALLEL = Number(process.env.SOLC_PARALLEL || 2);
const args = process.argv.slice(2);

if (args.includes('--version')) {
  // forge parses "Version: x.y.z+commit.<hash>..." to learn the compiler version.
  const v = require('solc').version().replace('.Emscripten.clang', '');
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}.Linux.g++\n`);
  process.exit(0);
}

function readStdin() {
  const chunks = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n;
    try { n = fs.readSync(0, buf, 0, buf.length, null); }
    catch (e) { if (e.code === 'EAGAIN') continue; if (e.code === 'EOF') break; throw e; }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Resolve imports forge did not inline, relative to the working directory and any --base-path/--include-path.
const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  if ((args[i] === '--base-path' || args[i] === '--include-path') && args[i + 1]) roots.push(path.resolve(args[i + 1]));
}
function findImports(p) {
  for (const r of roots) {
    const f = path.resolve(r, p);
    if (fs.existsSync(f)) return { contents: fs.readFileSync(f, 'utf8') };
  }
  return { error: `File not found: ${p}` };
}

function compileHere(input) {
  return require('solc').compile(input, { import: findImports });
}

// Run one part in a fresh process (a crashed wasm instance cannot be reused).
function compilePart(input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, ...args], { env: { ...process.env, SOLC_WRAPPER_PART: '1' }, stdio: ['pipe', 'pipe', 'inherit'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`solc part exited with code ${code}`));
      try { resolve(JSON.parse(Buffer.concat(out).toString('utf8'))); } catch (e) { reject(e); }
    });
    child.stdin.end(JSON.stringify(input));
  });
}

async function compileInParts(inputText) {
  const input = JSON.parse(inputText);
  const selection = (input.settings && input.settings.outputSelection) || {};
  // forge lists the files it wants output for; a '*' selection means every source.
  const files = selection['*'] ? Object.keys(input.sources || {}) : Object.keys(selection);
  const selectionOf = (f) => selection[f] || selection['*'];
  if (process.env.SOLC_WRAPPER_PART || files.length <= FILES_PER_PART) return compileHere(inputText);
  try {
    return compileHere(inputText);
  } catch (e) {
    process.stderr.write(`solc wrapper: one-shot compile failed (${e.message}); compiling in parts of ${FILES_PER_PART} files\n`);
  }

  const parts = [];
  for (let i = 0; i < files.length; i += FILES_PER_PART) parts.push(files.slice(i, i + FILES_PER_PART));
  const results = new Array(parts.length);
  let next = 0;
  async function worker() {
    while (next < parts.length) {
      const k = next++;
      const sel = {};
      for (const f of parts[k]) sel[f] = selectionOf(f);
      results[k] = await compilePart({ ...input, settings: { ...input.settings, outputSelection: sel } });
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, parts.length) }, worker));

  const merged = { contracts: {}, sources: {}, errors: [] };
  const seen = new Set();
  for (const r of results) {
    Object.assign(merged.contracts, r.contracts || {});
    Object.assign(merged.sources, r.sources || {});
    for (const e of r.errors || []) {
      const key = e.formattedMessage || e.message;
      if (!seen.has(key)) { seen.add(key); merged.errors.push(e); }
    }
  }
  return JSON.stringify(merged);
}

compileInParts(readStdin()).then(
  (out) => process.stdout.write(out),
  (e) => { process.stderr.write(`solc wrapper: ${e.message}\n`); process.exit(1); },
);
