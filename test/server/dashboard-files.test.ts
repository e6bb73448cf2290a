/** Which URL paths the dashboard serves (src/server/dashboard.ts): its page and files, never anything outside. */
import * as path from 'path'
import { DASHBOARD_DIR, dashboardFile } from '../../src/server/dashboard'

test('the page at /, /dashboard and /dashboard/; files below dashboard/ by extension', () => {
    for (const p of ['/', '/dashboard', '/dashboard/']) expect(dashboardFile(p)).toBe(path.join(DASHBOARD_DIR, 'index.html'))
    expect(dashboardFile('/dashboard/js/app.js')).toBe(path.join(DASHBOARD_DIR, 'js', 'app.js'))
    expect(dashboardFile('/dashboard/style.css')).toBe(path.join(DASHBOARD_DIR, 'style.css'))
    expect(dashboardFile('/graphql')).toBeNull()
    expect(dashboardFile('/dashboardx/app.js')).toBeNull()
})

test('no way out of the folder, no dotfiles, no unknown types', () => {
    for (const p of [
        '/dashboard/../package.json',
        '/dashboard/%2e%2e/package.json',
        '/dashboard/js/%2e%2e%2f..%2fpackage.json',
        '/dashboard/..%5c..%5cpackage.json',
        '/dashboard/%00index.html',
        '/dashboard/%E0%A4%A', // not decodable
        '/dashboard/.git/config',
        '/dashboard/js/.hidden.js',
        '/dashboard/README.md',
        '/dashboard/js/app.ts',
    ]) {
        expect({ p, file: dashboardFile(p) }).toEqual({ p, file: null })
    }
})
