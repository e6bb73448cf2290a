// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolUpgradeable} from "./ProtocolUpgradeable.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";
import {Roles} from "./interfaces/IRoles.sol";

/// @title ParticipantRegistry
/// @notice See IParticipantRegistry. Registration moves no funds, so it is not pausable.
contract ParticipantRegistry is ProtocolUpgradeable, IParticipantRegistry {
    mapping(address => Participant) private _participants;
    mapping(address => bool) private _registered;

    function initialize(address governor) external initializer {
        __Protocol_init(governor);
    }

    /// @inheritdoc IParticipantRegistry
    function register(ParticipantKind kind, address payoutAddress, string calldata metadataURI) external {
        _register(msg.sender, kind, payoutAddress, metadataURI);
    }

    /// @inheritdoc IParticipantRegistry
    function registerFor(address account, ParticipantKind kind, address payoutAddress, string calldata metadataURI)
        external
        onlyRole(Roles.OPERATOR_ROLE)
    {
        _register(account, kind, payoutAddress, metadataURI);
    }

    /// @inheritdoc IParticipantRegistry
    function update(address account, address payoutAddress, string calldata metadataURI) external {
        _checkAccountOrOperator(account);
        Participant storage p = _activeParticipant(account);
        if (payoutAddress == address(0)) revert ZeroAddress();
        p.payoutAddress = payoutAddress;
        p.metadataURI = metadataURI;
        emit ParticipantUpdated(account, payoutAddress, metadataURI, msg.sender);
    }

    /// @inheritdoc IParticipantRegistry
    function setPublisherTerms(address account, uint256 pricePerThousand, bool consent) external {
        _checkAccountOrOperator(account);
        Participant storage p = _activeParticipant(account);
        if (p.kind != ParticipantKind.Publisher) revert NotPublisher(account);
        p.pricePerThousand = pricePerThousand;
        p.consent = consent;
        emit PublisherTermsSet(account, pricePerThousand, consent);
    }

    /// @inheritdoc IParticipantRegistry
    function deactivate(address account) external {
        _checkAccountOrOperator(account);
        Participant storage p = _activeParticipant(account);
        p.active = false;
        emit ParticipantDeactivated(account, msg.sender);
    }

    /// @inheritdoc IParticipantRegistry
    function getParticipant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IParticipantRegistry
    function isActive(address account) external view returns (bool) {
        return _participants[account].active;
    }

    function _register(address account, ParticipantKind kind, address payoutAddress, string calldata metadataURI)
        private
    {
        if (account == address(0) || payoutAddress == address(0)) revert ZeroAddress();
        Participant storage p = _participants[account];
        if (p.active) revert AlreadyRegistered(account);
        // Re-registering after deactivation starts from clean terms: consent must be given again.
        _participants[account] = Participant({
            kind: kind,
            payoutAddress: payoutAddress,
            active: true,
            consent: false,
            pricePerThousand: 0,
            metadataURI: metadataURI
        });
        _registered[account] = true;
        emit ParticipantRegistered(account, kind, payoutAddress, metadataURI, msg.sender);
    }

    function _activeParticipant(address account) private view returns (Participant storage p) {
        if (!_registered[account]) revert NotRegistered(account);
        p = _participants[account];
        if (!p.active) revert ParticipantInactive(account);
    }

    function _checkAccountOrOperator(address account) private view {
        if (msg.sender != account && !hasRole(Roles.OPERATOR_ROLE, msg.sender)) {
            revert NotAccountOrOperator(msg.sender, account);
        }
    }
}
