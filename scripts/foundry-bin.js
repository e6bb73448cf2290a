// Locates a Foundry binary (forge, anvil) installed from npm.
// package.json depends on the per-platform packages (@foundry-rs/<tool>-<os>-<arch>) directly, as optional
// dependencies, not on the @foundry-rs/<tool> wrappers: the wrappers list every platform as an optional
// dependency, and where a registry lacks some of them `npm install` skips them but `npm ci` then refuses the lock
// file as out of sync. A platform with no npm binary falls back to the tool on PATH (foundryup).
const fs = require('fs');
const os = require('os');
const path = require('path');

function foundryBinary(tool) {
  const arch = { x64: 'amd64', arm64: 'arm64' }[os.arch()];
  const exe = os.platform() === 'win32' ? `${tool}.exe` : tool;
  if (arch) {
    try {
      const bin = require.resolve(`@foundry-rs/${tool}-${os.platform()}-${arch}/bin/${exe}`);
      if (fs.existsSync(bin)) return bin;
    } catch {
      // no npm package for this platform
    }
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, exe);
    if (candidate && !candidate.includes(`node_modules${path.sep}.bin`) && fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    `${tool} binary not found: npm has @foundry-rs/${tool}-${os.platform()}-${arch || os.arch()} for this platform only ` +
      `if "npm install" installed it; otherwise install Foundry (foundryup) and put ${tool} on PATH`,
  );
}

module.exports = { foundryBinary };
