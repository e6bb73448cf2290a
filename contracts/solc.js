#!/usr/bin/env node
// forge cannot download solc offline, so foundry.toml points here: a solc "binary" backed by the npm
// `solc` package (solc-js). forge asks `--version`, then pipes standard-JSON to stdin; we answer with
// exactly the compiler's JSON on stdout (the solcjs CLI cannot be used: it fails with EAGAIN on large
// stdin and prints a ">>>" banner into its output).
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const args = process.argv.slice(2);
if (args.includes('--version')) {
  // forge parses "Version: x.y.z+commit.<hash>..." to learn the compiler version.
  const v = solc.version().replace('.Emscripten.clang', '');
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}.Linux.g++\n`);
  process.exit(0);
}

const chunks = [];
let fd = 0;
const buf = Buffer.alloc(1 << 16);
for (;;) {
  let n;
  try { n = fs.readSync(fd, buf, 0, buf.length, null); }
  catch (e) { if (e.code === 'EAGAIN') continue; if (e.code === 'EOF') break; throw e; }
  if (n === 0) break;
  chunks.push(Buffer.from(buf.subarray(0, n)));
}
const input = Buffer.concat(chunks).toString('utf8');

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
process.stdout.write(solc.compile(input, { import: findImports }));
