#!/usr/bin/env node
// Copies each deployable contract's ABI from the forge build (contracts/out) into abi/<Name>.json.
// abi/ is committed: the processor's typed decoders (src/abi, via squid-evm-typegen) are generated from it.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const CONTRACTS = [
  'ParticipantRegistry',
  'TokenRegistry',
  'Escrow',
  'BatchLedger',
  'Distributor',
  'PlatformTimelock',
  'MockUSDC',
  'MockToken',
  'ValidatorRegistry',
];

fs.mkdirSync(path.join(root, 'abi'), { recursive: true });
let written = 0;
for (const name of CONTRACTS) {
  const artifact = path.join(root, 'contracts', 'out', `${name}.sol`, `${name}.json`);
  if (!fs.existsSync(artifact)) {
    console.error(`export-abi: missing ${path.relative(root, artifact)}; run "npm run contracts:build" first`);
    process.exit(1);
  }
  const { abi } = JSON.parse(fs.readFileSync(artifact, 'utf8'));
  fs.writeFileSync(path.join(root, 'abi', `${name}.json`), JSON.stringify(abi, null, 2) + '\n');
  written++;
}
console.log(`export-abi: wrote ${written} ABIs to abi/`);
