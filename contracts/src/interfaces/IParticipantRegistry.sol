// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProtocolErrors} from "./IRoles.sol";

/// @title ParticipantRegistry: who takes part in settlement
/// @notice AI platforms pay, publishers are paid, advertisers are recorded for attribution.
///         A participant registers itself (or an operator registers it) with a payout address and a
///         metadata URI; publishers additionally publish a price and a consent flag.
interface IParticipantRegistry is IProtocolErrors {
    /// @notice What a participant is.
    enum ParticipantKind {
        AIPlatform,
        Publisher,
        Advertiser
    }

    /// @notice A participant's on-chain record.
    struct Participant {
        ParticipantKind kind;
        address payoutAddress;
        bool active;
        bool consent;
        uint256 pricePerThousand;
        string metadataURI;
    }

    /// @notice A participant was registered (or re-registered after deactivation).
    /// @param account the participant's account
    /// @param kind the participant kind
    /// @param payoutAddress where its payouts go
    /// @param metadataURI off-chain metadata
    /// @param actor who registered it (the account itself or an operator)
    event ParticipantRegistered(
        address indexed account, ParticipantKind kind, address payoutAddress, string metadataURI, address indexed actor
    );

    /// @notice A participant's payout address or metadata changed.
    event ParticipantUpdated(address indexed account, address payoutAddress, string metadataURI, address indexed actor);

    /// @notice A publisher set its price (per thousand records, in token units) and its consent to be used.
    event PublisherTermsSet(address indexed account, uint256 pricePerThousand, bool consent);

    /// @notice A participant was deactivated by itself or an operator.
    event ParticipantDeactivated(address indexed account, address indexed actor);

    /// @notice The account is already registered and active.
    error AlreadyRegistered(address account);
    /// @notice The account has never registered.
    error NotRegistered(address account);
    /// @notice The account is registered but deactivated.
    error ParticipantInactive(address account);
    /// @notice Only publishers have terms.
    error NotPublisher(address account);
    /// @notice The caller may not act for this account (not the account and not an operator).
    error NotAccountOrOperator(address caller, address account);

    /// @notice Register msg.sender.
    function register(ParticipantKind kind, address payoutAddress, string calldata metadataURI) external;
    /// @notice Operator registers `account`.
    function registerFor(address account, ParticipantKind kind, address payoutAddress, string calldata metadataURI)
        external;
    /// @notice Update payout address and metadata of `account` (the account itself or an operator).
    function update(address account, address payoutAddress, string calldata metadataURI) external;
    /// @notice Set a publisher's price and consent (the publisher itself or an operator).
    function setPublisherTerms(address account, uint256 pricePerThousand, bool consent) external;
    /// @notice Deactivate `account` (the account itself or an operator).
    function deactivate(address account) external;

    /// @notice The record of `account` (kind AIPlatform with a zero payout address when unknown).
    function getParticipant(address account) external view returns (Participant memory);
    /// @notice Whether `account` is registered and active.
    function isActive(address account) external view returns (bool);
}
