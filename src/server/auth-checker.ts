import type { AuthChecker } from 'type-graphql'
import { apiError } from './errors'
import type { ApiRole, Ctx } from './context'

/**
 * The one auth checker: `@Authorized('operator')` admits only keys whose role is listed. A missing key is
 * UNAUTHENTICATED, a key with the wrong role FORBIDDEN; both are raised before any resolver code runs, so a
 * refused mutation sends nothing.
 */
export const authChecker: AuthChecker<Ctx, ApiRole> = ({ context }, roles) => {
    if (!context.caller) throw apiError('UNAUTHENTICATED', 'this operation needs an API key: send "Authorization: Bearer <key>"')
    if (roles.length > 0 && !roles.includes(context.caller.role)) {
        throw apiError('FORBIDDEN', `this operation needs one of the roles ${roles.join(', ')}; your key has role ${context.caller.role}`)
    }
    return true
}
