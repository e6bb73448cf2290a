/**
 * Bounds on a query text, checked with one pass of graphql's lexer before it is parsed: everything after (the
 * parser's recursion, the spec's validation rules) grows with the number of tokens, the nesting, and the
 * directives and fragments a document holds, some of it faster than linearly. The pass stops at the first limit
 * passed, so a 1 MB text costs at most `maxTokens` tokens of work. Lines are bounded too: every error (up to
 * MAX_VALIDATION_ERRORS) finds its line and column by counting the lines before it.
 *
 * graphql@15's parser has no `maxTokens` option (16 added it), hence the separate pass.
 */
import { GraphQLError, Lexer, Source, TokenKind } from 'graphql'
import type { QueryLimits } from './validation'

export type DocumentLimits = Pick<QueryLimits, 'maxTokens' | 'maxLines' | 'maxNesting' | 'maxDirectives' | 'maxFragmentSpreads'>

function refuse(limit: string, max: number, message: string): GraphQLError {
    return new GraphQLError(message, undefined, undefined, undefined, undefined, undefined, { code: 'QUERY_TOO_COMPLEX', limit, max })
}

/** Throws a QUERY_TOO_COMPLEX GraphQLError for the first limit `query` passes, or the lexer's syntax error. */
export function checkQueryText(query: string, limits: DocumentLimits): void {
    let lines = 1
    for (let i = query.indexOf('\n'); i !== -1; i = query.indexOf('\n', i + 1)) {
        if (++lines > limits.maxLines) throw refuse('lines', limits.maxLines, `the query has more than ${limits.maxLines} lines`)
    }
    const lexer = new Lexer(new Source(query))
    let tokens = 0
    let nesting = 0
    let directives = 0
    let spreads = 0
    for (let tok = lexer.advance(); tok.kind !== TokenKind.EOF; tok = lexer.advance()) {
        if (++tokens > limits.maxTokens) throw refuse('tokens', limits.maxTokens, `the query has more than ${limits.maxTokens} tokens`)
        switch (tok.kind) {
            case TokenKind.BRACE_L:
            case TokenKind.BRACKET_L:
            case TokenKind.PAREN_L:
                if (++nesting > limits.maxNesting) throw refuse('nesting', limits.maxNesting, `the query nests braces/brackets/parentheses more than ${limits.maxNesting} deep`)
                break
            case TokenKind.BRACE_R:
            case TokenKind.BRACKET_R:
            case TokenKind.PAREN_R:
                nesting--
                break
            case TokenKind.AT:
                if (++directives > limits.maxDirectives) throw refuse('directives', limits.maxDirectives, `the query has more than ${limits.maxDirectives} directives`)
                break
            case TokenKind.SPREAD:
                if (++spreads > limits.maxFragmentSpreads) {
                    throw refuse('fragmentSpreads', limits.maxFragmentSpreads, `the query has more than ${limits.maxFragmentSpreads} fragment spreads / inline fragments`)
                }
                break
        }
    }
}
