// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

import {ParticipantRegistry} from "../src/ParticipantRegistry.sol";
import {TokenRegistry} from "../src/TokenRegistry.sol";
import {Escrow} from "../src/Escrow.sol";
import {BatchLedger} from "../src/BatchLedger.sol";
import {Distributor} from "../src/Distributor.sol";
import {MockUSDC} from "../src/MockUSDC.sol";
import {IParticipantRegistry} from "../src/interfaces/IParticipantRegistry.sol";
import {ITokenRegistry} from "../src/interfaces/ITokenRegistry.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {IBatchLedger} from "../src/interfaces/IBatchLedger.sol";
import {IDistributor} from "../src/interfaces/IDistributor.sol";
import {Roles, IProtocolErrors} from "../src/interfaces/IRoles.sol";
import {MerkleBuilder} from "./utils/MerkleBuilder.sol";

/// @title Shared fixture: every core contract behind an ERC1967Proxy, wired as production wires them, except that
///        GOVERNOR_ROLE and DEFAULT_ADMIN_ROLE sit with a plain `governor` address (PlatformTimelock.t.sol puts a
///        real timelock there).
abstract contract BaseTest is Test {
    uint64 internal constant DISPUTE_WINDOW = 1 days;
    uint16 internal constant FEE_BPS = 250; // 2.5%
    uint256 internal constant MIN_DEPOSIT = 1e6; // 1 USDC
    uint256 internal constant MAX_DEPOSIT = 10_000_000e6; // 10M USDC
    uint256 internal constant PLATFORM_FUNDING = 100_000e6;

    bytes32 internal constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 internal constant GOVERNOR_ROLE = Roles.GOVERNOR_ROLE;
    bytes32 internal constant OPERATOR_ROLE = Roles.OPERATOR_ROLE;
    bytes32 internal constant PAUSER_ROLE = Roles.PAUSER_ROLE;
    bytes32 internal constant RELAYER_ROLE = Roles.RELAYER_ROLE;
    bytes32 internal constant LEDGER_ROLE = Roles.LEDGER_ROLE;

    bytes32 internal constant BATCH_1 = keccak256("batch-1");
    bytes32 internal constant BATCH_2 = keccak256("batch-2");
    string internal constant DATA_URI = "ipfs://bafy-batch";

    address internal governor = makeAddr("governor");
    address internal operator = makeAddr("operator");
    address internal pauser = makeAddr("pauser");
    address internal relayer = makeAddr("relayer");
    address internal treasury = makeAddr("treasury");
    address internal platform = makeAddr("platform"); // AI platform, the payer
    address internal platformPayout = makeAddr("platformPayout");
    address internal pubA = makeAddr("publisherA");
    address internal pubB = makeAddr("publisherB");
    address internal pubC = makeAddr("publisherC");
    address internal advertiser = makeAddr("advertiser");
    address internal stranger = makeAddr("stranger");

    MockUSDC internal usdc;
    ParticipantRegistry internal participants;
    TokenRegistry internal tokens;
    Escrow internal escrow;
    BatchLedger internal ledger;
    Distributor internal distributor;

    ParticipantRegistry internal participantsImpl;
    TokenRegistry internal tokensImpl;
    Escrow internal escrowImpl;
    BatchLedger internal ledgerImpl;
    Distributor internal distributorImpl;

    function setUp() public virtual {
        vm.label(governor, "governor");
        usdc = new MockUSDC();
        vm.label(address(usdc), "USDC");
        _deployProtocol();
        _wireRoles();
        _seedParticipants();
        _mintAndDeposit(platform, PLATFORM_FUNDING);
    }

    // ------------------------------------------------------------------ deployment

    function _proxy(address impl, bytes memory initData) internal returns (address) {
        return address(new ERC1967Proxy(impl, initData));
    }

    function _deployProtocol() internal {
        participantsImpl = new ParticipantRegistry();
        tokensImpl = new TokenRegistry();
        escrowImpl = new Escrow();
        ledgerImpl = new BatchLedger();
        distributorImpl = new Distributor();

        participants = ParticipantRegistry(
            _proxy(address(participantsImpl), abi.encodeCall(ParticipantRegistry.initialize, (governor)))
        );
        tokens = TokenRegistry(_proxy(address(tokensImpl), abi.encodeCall(TokenRegistry.initialize, (governor))));
        escrow = Escrow(_proxy(address(escrowImpl), abi.encodeCall(Escrow.initialize, (governor, tokens))));
        distributor = Distributor(
            _proxy(address(distributorImpl), abi.encodeCall(Distributor.initialize, (governor, treasury, FEE_BPS)))
        );
        ledger = BatchLedger(
            _proxy(
                address(ledgerImpl),
                abi.encodeCall(BatchLedger.initialize, (governor, escrow, distributor, participants, DISPUTE_WINDOW))
            )
        );
        vm.label(address(participants), "ParticipantRegistry");
        vm.label(address(tokens), "TokenRegistry");
        vm.label(address(escrow), "Escrow");
        vm.label(address(distributor), "Distributor");
        vm.label(address(ledger), "BatchLedger");
    }

    function _wireRoles() internal {
        vm.startPrank(governor);
        escrow.grantRole(LEDGER_ROLE, address(ledger));
        distributor.grantRole(LEDGER_ROLE, address(ledger));
        ledger.grantRole(OPERATOR_ROLE, operator);
        participants.grantRole(OPERATOR_ROLE, operator);
        distributor.grantRole(RELAYER_ROLE, relayer);
        participants.grantRole(PAUSER_ROLE, pauser);
        tokens.grantRole(PAUSER_ROLE, pauser);
        escrow.grantRole(PAUSER_ROLE, pauser);
        ledger.grantRole(PAUSER_ROLE, pauser);
        distributor.grantRole(PAUSER_ROLE, pauser);
        tokens.allowToken(address(usdc), MIN_DEPOSIT, MAX_DEPOSIT);
        vm.stopPrank();
    }

    function _seedParticipants() internal {
        vm.prank(platform);
        participants.register(IParticipantRegistry.ParticipantKind.AIPlatform, platformPayout, "ipfs://platform");
        vm.startPrank(operator);
        participants.registerFor(pubA, IParticipantRegistry.ParticipantKind.Publisher, pubA, "ipfs://pubA");
        participants.registerFor(pubB, IParticipantRegistry.ParticipantKind.Publisher, pubB, "ipfs://pubB");
        participants.registerFor(pubC, IParticipantRegistry.ParticipantKind.Publisher, pubC, "ipfs://pubC");
        participants.registerFor(advertiser, IParticipantRegistry.ParticipantKind.Advertiser, advertiser, "ipfs://adv");
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ funds

    /// @dev Mint through the faucet (in FAUCET_LIMIT chunks).
    function _mint(address to, uint256 amount) internal {
        uint256 limit = usdc.FAUCET_LIMIT();
        while (amount > 0) {
            uint256 chunk = amount > limit ? limit : amount;
            usdc.faucet(to, chunk);
            amount -= chunk;
        }
    }

    function _mintAndDeposit(address payer, uint256 amount) internal {
        _mint(payer, amount);
        vm.startPrank(payer);
        usdc.approve(address(escrow), amount);
        escrow.deposit(address(usdc), amount);
        vm.stopPrank();
    }

    function _available(address payer) internal view returns (uint256) {
        return escrow.accountOf(payer, address(usdc)).available;
    }

    function _locked(address payer) internal view returns (uint256) {
        return escrow.accountOf(payer, address(usdc)).locked;
    }

    function _fee(uint256 amount) internal view returns (uint256) {
        return (amount * distributor.feeBps()) / 10_000;
    }

    // ------------------------------------------------------------------ batches

    function _sum(uint256[] memory amounts) internal pure returns (uint256 s) {
        for (uint256 i = 0; i < amounts.length; i++) {
            s += amounts[i];
        }
    }

    /// @dev pubA 100, pubB 250.5, pubC 649.5 USDC: 1,000 USDC.
    function _defaultLeaves() internal view returns (address[] memory payees, uint256[] memory amounts) {
        payees = new address[](3);
        amounts = new uint256[](3);
        (payees[0], payees[1], payees[2]) = (pubA, pubB, pubC);
        (amounts[0], amounts[1], amounts[2]) = (100e6, 250_500_000, 649_500_000);
    }

    function _commit(bytes32 batchId, address[] memory payees, uint256[] memory amounts)
        internal
        returns (bytes32 root, bytes32[][] memory proofs)
    {
        (root, proofs) = MerkleBuilder.build(payees, amounts);
        vm.prank(operator);
        ledger.commitBatch(batchId, platform, address(usdc), root, _sum(amounts), uint32(payees.length * 10), DATA_URI);
    }

    function _commitDefault(bytes32 batchId)
        internal
        returns (address[] memory payees, uint256[] memory amounts, bytes32 root, bytes32[][] memory proofs)
    {
        (payees, amounts) = _defaultLeaves();
        (root, proofs) = _commit(batchId, payees, amounts);
    }

    function _warpPastDeadline(bytes32 batchId) internal {
        uint64 deadline = ledger.getBatch(batchId).disputeDeadline;
        if (block.timestamp < deadline) vm.warp(deadline);
    }

    function _finalize(bytes32 batchId) internal {
        _warpPastDeadline(batchId);
        ledger.finalize(batchId);
    }

    function _commitAndFinalizeDefault(bytes32 batchId)
        internal
        returns (address[] memory payees, uint256[] memory amounts, bytes32 root, bytes32[][] memory proofs)
    {
        (payees, amounts, root, proofs) = _commitDefault(batchId);
        _finalize(batchId);
    }

    // ------------------------------------------------------------------ expectations

    function _expectUnauthorized(address account, bytes32 role) internal {
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role));
    }

    function _expectPaused() internal {
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
    }

    function _expectError(bytes4 selector) internal {
        vm.expectRevert(abi.encodeWithSelector(selector));
    }
}
