#!/usr/bin/env node
// Builds the Merkle cross-check fixture for contracts/test/MerkleCompat.t.sol with the same library the off-chain
// settlement code uses (@openzeppelin/merkle-tree StandardMerkleTree, leaf types ['address', 'uint256']), and writes
// contracts/test/fixtures/merkle.json: { root, leaves: [{ payee, amount, leaf, proof }] }.
//
// Deterministic: a fixed list of edge-case values plus a pseudo-random list derived from keccak256 of a fixed seed,
// so running it twice gives byte-identical output.
//   node scripts/merkle-fixture.js          regenerate the fixture
//   node scripts/merkle-fixture.js --check  exit 1 if the committed fixture is not what this script produces
'use strict';

const fs = require('fs');
const path = require('path');
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');
const { keccak256, toUtf8Bytes, getAddress, AbiCoder } = require('ethers');

const OUT = path.join(__dirname, '..', 'contracts', 'test', 'fixtures', 'merkle.json');
const SEED = 'settlement-merkle-fixture-v1';
const RANDOM_COUNT = 30;
const USDC = 10n ** 6n;

const abi = AbiCoder.defaultAbiCoder();
const word = (...parts) => BigInt(keccak256(abi.encode(['string', ...parts.map(() => 'uint256')], [SEED, ...parts])));
const addressFrom = (n) => getAddress('0x' + (n & ((1n << 160n) - 1n)).toString(16).padStart(40, '0'));
const named = (label) => getAddress('0x' + keccak256(toUtf8Bytes(label)).slice(-40));

// Fixed values: realistic publishers plus edge cases (dust amounts whose fee rounds to zero, low and high
// addresses, large amounts).
const fixed = [
  [named('publisher:nytimes'), 1_250n * USDC],
  [named('publisher:guardian'), 980_500_000n],
  [named('publisher:lemonde'), 333_333_333n],
  [named('publisher:spiegel'), 12n * USDC],
  [named('publisher:elpais'), 7_777_777n],
  [named('publisher:asahi'), 250_000n * USDC],
  [named('publisher:reuters'), 42n],
  [named('publisher:apnews'), 1n],
  [named('publisher:bbc'), 39n],
  [named('publisher:wired'), 400n],
  [named('publisher:arstechnica'), 99_999_999n],
  [named('publisher:theverge'), 5_000n * USDC],
  [named('publisher:wikipedia'), 1_000_000n * USDC],
  [named('publisher:stackoverflow'), 123_456_789n],
  [named('publisher:github-docs'), 64n * USDC],
  [named('publisher:medium'), 2n],
  [named('publisher:substack'), 10_000n],
  ['0x0000000000000000000000000000000000000001', 3n * USDC],
  ['0x00000000000000000000000000000000DeaDBeef', 17n],
  ['0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF', 500n * USDC],
];

const random = [];
for (let i = 0; i < RANDOM_COUNT; i++) {
  random.push([addressFrom(word(i, 0)), (word(i, 1) % (50_000n * USDC)) + 1n]);
}

const values = [...fixed, ...random].map(([payee, amount]) => [getAddress(payee), amount.toString()]);
const payees = new Set(values.map(([p]) => p.toLowerCase()));
if (payees.size !== values.length) throw new Error('duplicate payee: a payee can claim once per batch');

const tree = StandardMerkleTree.of(values, ['address', 'uint256']);
const leaves = [];
for (const [i, [payee, amount]] of tree.entries()) {
  const proof = tree.getProof(i);
  if (!StandardMerkleTree.verify(tree.root, ['address', 'uint256'], [payee, amount], proof)) {
    throw new Error(`proof ${i} does not verify`);
  }
  leaves.push({ payee, amount, leaf: tree.leafHash([payee, amount]), proof });
}
const total = values.reduce((s, [, a]) => s + BigInt(a), 0n);
const json = JSON.stringify({ root: tree.root, total: total.toString(), leaves }, null, 2) + '\n';

if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (current !== json) {
    console.error(`${path.relative(process.cwd(), OUT)} is stale: run node scripts/merkle-fixture.js`);
    process.exit(1);
  }
  console.log(`${path.relative(process.cwd(), OUT)} is up to date (${leaves.length} leaves, root ${tree.root})`);
} else {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, json);
  console.log(`wrote ${path.relative(process.cwd(), OUT)}: ${leaves.length} leaves, total ${total}, root ${tree.root}`);
}
