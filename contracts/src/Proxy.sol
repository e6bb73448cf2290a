// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Compiled so the deploy step finds the proxy's bytecode in contracts/out next to the implementations.
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
