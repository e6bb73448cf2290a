/** PlatformTimelock (OpenZeppelin TimelockController): operations and their calls. */
import { ParameterChange, TimelockCall, TimelockOperation, TimelockOperationStatus } from '../model'
import { OwnEventOf } from './decode'
import { ensureParams } from './entities'
import { MappingState } from './state'
import { readyAt, selectorOf, timelockCallId } from './util'

type Ev = OwnEventOf<'PlatformTimelock'>

export function prefetch(ev: Ev, state: MappingState): void {
    switch (ev.name) {
        case 'CallScheduled':
        case 'CallExecuted':
            state.timelockOps.want(ev.args.id.toLowerCase())
            state.timelockCalls.want(timelockCallId(ev.args.id, ev.args.index))
            break
        case 'CallSalt':
        case 'Cancelled':
            state.timelockOps.want(ev.args.id.toLowerCase())
            break
        case 'MinDelayChange':
            break
    }
}

export function handle(ev: Ev, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    switch (ev.name) {
        case 'CallScheduled': {
            const id = ev.args.id.toLowerCase()
            const index = Number(ev.args.index)
            const target = ev.args.target.toLowerCase()
            const data = ev.args.data.toLowerCase()
            let op = state.timelockOps.get(id)
            if (!op) op = state.timelockOps.add(new TimelockOperation({ id, scheduleCount: 0, callCount: 0, executedCallCount: 0 }))
            if (index === 0) {
                // a new schedule (first time, or again after a cancel): the first call starts it
                op.status = TimelockOperationStatus.SCHEDULED
                op.target = target
                op.value = ev.args.value
                op.data = data
                op.predecessor = ev.args.predecessor.toLowerCase()
                op.delay = ev.args.delay
                op.readyAt = readyAt(meta.timestamp, ev.args.delay)
                op.scheduleCount += 1
                op.callCount = 0
                op.executedCallCount = 0
                op.scheduledAt = at
                op.scheduledAtBlock = meta.blockNumber
                op.scheduledTx = meta.txHash
                op.executedAt = null
                op.executedAtBlock = null
                op.executedTx = null
                op.cancelledAt = null
                op.cancelledAtBlock = null
                if (op.salt === undefined) op.salt = null
            }
            op.callCount = Math.max(op.callCount, index + 1)
            state.timelockOps.touch(op)
            const callId = timelockCallId(id, index)
            const call =
                state.timelockCalls.get(callId) ??
                state.timelockCalls.add(new TimelockCall({ id: callId, operation: new TimelockOperation({ id }), index }))
            call.target = target
            call.value = ev.args.value
            call.data = data
            call.selector = selectorOf(data)
            call.executed = false
            call.executedAt = null
            call.executedTx = null
            state.timelockCalls.touch(call)
            break
        }
        case 'CallSalt': {
            const op = state.timelockOps.get(ev.args.id.toLowerCase())
            if (!op) {
                state.warnings.push(`CallSalt for unknown timelock operation ${ev.args.id} at ${meta.id}`)
                break
            }
            op.salt = ev.args.salt.toLowerCase()
            state.timelockOps.touch(op)
            break
        }
        case 'CallExecuted': {
            const id = ev.args.id.toLowerCase()
            const index = Number(ev.args.index)
            const op = state.timelockOps.get(id)
            if (!op) {
                state.warnings.push(`CallExecuted for unknown timelock operation ${id} at ${meta.id}`)
                break
            }
            op.executedCallCount += 1
            if (op.executedCallCount >= op.callCount) {
                op.status = TimelockOperationStatus.EXECUTED
                op.executedAt = at
                op.executedAtBlock = meta.blockNumber
                op.executedTx = meta.txHash
            }
            state.timelockOps.touch(op)
            const call = state.timelockCalls.get(timelockCallId(id, index))
            if (call) {
                call.executed = true
                call.executedAt = at
                call.executedTx = meta.txHash
                state.timelockCalls.touch(call)
            }
            break
        }
        case 'Cancelled': {
            const op = state.timelockOps.get(ev.args.id.toLowerCase())
            if (!op) {
                state.warnings.push(`Cancelled for unknown timelock operation ${ev.args.id} at ${meta.id}`)
                break
            }
            op.status = TimelockOperationStatus.CANCELLED
            op.cancelledAt = at
            op.cancelledAtBlock = meta.blockNumber
            state.timelockOps.touch(op)
            break
        }
        case 'MinDelayChange': {
            const p = ensureParams(state, meta)
            p.timelockMinDelay = ev.args.newDuration
            p.updatedAtBlock = meta.blockNumber
            state.params.touch(p)
            state.parameterChanges.push(
                new ParameterChange({
                    id: meta.id,
                    contract: meta.contract,
                    contractAddress: meta.address,
                    parameter: 'timelockMinDelay',
                    oldValue: ev.args.oldDuration.toString(),
                    newValue: ev.args.newDuration.toString(),
                    blockNumber: meta.blockNumber,
                    txHash: meta.txHash,
                    timestamp: at,
                }),
            )
            break
        }
    }
}
