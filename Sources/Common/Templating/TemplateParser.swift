import BrokkrCommon
import BrokkrJSONSchema

// Builds the node tree from the lexer's segments: matches block tags (`if`/`for`/`filter`) with
// their `elif`/`else`/`end*` tags and hands tag contents to the expression parser.

struct TemplateParser {
    private let segments: [TemplateSegment]
    private var position = 0
    private let limits: TemplateLimits
    /// Blocks currently open. Parsing, whitespace control and rendering all recurse once per block,
    /// so this bounds the stack they use.
    private var blockDepth = 0

    /// Parses a whole template and applies whitespace control.
    static func parse(_ source: String, limits: TemplateLimits = .default) throws -> [TemplateNode] {
        let lexer = TemplateLexer(source: source, maxSubscriptDepth: limits.maxExpressionDepth)
        var parser = TemplateParser(segments: try lexer.segments(), limits: limits)
        let (nodes, terminator) = try parser.parseBody(insideLoop: false, topLevel: true)
        if let terminator { throw Self.strayTag(terminator) }
        return WhitespaceControl.apply(nodes)
    }

    private init(segments: [TemplateSegment], limits: TemplateLimits) {
        self.segments = segments
        self.limits = limits
    }

    /// A `{% ... %}` tag that ends or splits a block body.
    private struct BlockTag {
        let keyword: String
        let tag: TagContent
    }

    private static let blockTerminators: Set<String> = ["elif", "else", "endif", "endfor", "endfilter"]

    private static let unsupportedTags: [String: String] = [
        "extends": "template inheritance (`extends`) is not supported: one-off templates have no parent template",
        "block": "`block` is not supported: one-off templates have no template inheritance",
        "endblock": "`endblock` is not supported: one-off templates have no template inheritance",
        "include": "`include` is not supported: one-off templates cannot include other templates",
        "import": "`import` is not supported: one-off templates cannot import macros",
        "macro": "macros are not supported in one-off templates",
        "endmacro": "macros are not supported in one-off templates",
    ]

    // MARK: - Bodies

    /// Parses nodes until a block terminator tag (returned) or the end of the template (nil).
    private mutating func parseBody(insideLoop: Bool, topLevel: Bool = false) throws -> ([TemplateNode], BlockTag?) {
        var nodes: [TemplateNode] = []
        while position < segments.count {
            let segment = segments[position]
            position += 1
            switch segment {
            case .text(let text):
                nodes.append(.text(text))
            case .comment(let whitespace, _):
                // Tera consumes comments that open the template before its content, so their
                // whitespace control has no effect there.
                if topLevel && nodes.isEmpty { continue }
                nodes.append(.comment(whitespace))
            case .raw(let start, let body, let end, _):
                nodes.append(.raw(start: start, body, end: end))
            case .variableTag(let tag):
                var parser = ExpressionParser(tokens: tag.tokens, maxDepth: limits.maxExpressionDepth)
                let expression = try parser.parseOutputExpression()
                nodes.append(.variable(tag.whitespace, expression, line: tag.location.line))
            case .statementTag(let tag):
                let keyword = try Self.keyword(of: tag)
                if Self.blockTerminators.contains(keyword) {
                    return (nodes, BlockTag(keyword: keyword, tag: tag))
                }
                nodes.append(try parseStatement(keyword, tag, insideLoop: insideLoop))
            }
        }
        return (nodes, nil)
    }

    private mutating func parseStatement(_ keyword: String, _ tag: TagContent, insideLoop: Bool) throws -> TemplateNode {
        switch keyword {
        case "if":
            return try insideBlock(tag) { try $0.parseIf(tag, insideLoop: insideLoop) }
        case "for":
            return try insideBlock(tag) { try $0.parseFor(tag) }
        case "filter":
            return try insideBlock(tag) { try $0.parseFilterSection(tag) }
        case "set", "set_global":
            var parser = argumentParser(tag)
            let name = try parser.parseIdentifier("a variable name")
            try parser.expectSymbol("=")
            let value = try parser.parseAssignedValue()
            let node = SetNode(name: name, value: value, global: keyword == "set_global", line: tag.location.line)
            return .set(tag.whitespace, node)
        case "break", "continue":
            guard insideLoop else {
                throw TemplateSyntaxError("`\(keyword)` can only be used inside a `for` loop", at: tag.location)
            }
            var parser = argumentParser(tag)
            try parser.expectEnd()
            return keyword == "break"
                ? .breakLoop(tag.whitespace, line: tag.location.line)
                : .continueLoop(tag.whitespace, line: tag.location.line)
        case "raw":
            // A bare `{% raw %}` is handled by the lexer; anything else inside the tag is an error.
            var parser = argumentParser(tag)
            try parser.expectEnd()
            throw TemplateSyntaxError("unexpected `raw` tag", at: tag.location)
        case "endraw":
            throw TemplateSyntaxError("unexpected `{% endraw %}`: there is no open `raw` block", at: tag.location)
        default:
            if let message = Self.unsupportedTags[keyword] {
                throw TemplateSyntaxError(message, at: tag.location)
            }
            throw TemplateSyntaxError("unknown tag `\(keyword)`", at: tag.tokens[0].location)
        }
    }

    // MARK: - Blocks

    private mutating func insideBlock(_ tag: TagContent, _ parse: (inout TemplateParser) throws -> TemplateNode) throws -> TemplateNode {
        guard blockDepth < limits.maxBlockDepth else {
            throw TemplateSyntaxError(
                "blocks nested too deeply: at most \(limits.maxBlockDepth) levels of `if`, `for` and `filter` are allowed",
                at: tag.location)
        }
        blockDepth += 1
        defer { blockDepth -= 1 }
        return try parse(&self)
    }

    private mutating func parseIf(_ tag: TagContent, insideLoop: Bool) throws -> TemplateNode {
        var branches: [IfBranch] = []
        var otherwise: (whitespace: TagWhitespace, body: [TemplateNode])?
        var branchTag = tag
        var condition = try self.condition(of: tag)
        var elseTag: TagContent?
        while true {
            let (body, terminator) = try parseBody(insideLoop: insideLoop)
            if let elseTag {
                otherwise = (elseTag.whitespace, body)
            } else {
                branches.append(
                    IfBranch(
                        whitespace: branchTag.whitespace, condition: condition, body: body,
                        line: branchTag.location.line))
            }
            guard let terminator else { throw Self.unclosed("if", opened: tag, closer: "endif") }
            switch terminator.keyword {
            case "elif":
                if elseTag != nil {
                    throw TemplateSyntaxError("`elif` cannot come after `else` in an `if` block", at: terminator.tag.location)
                }
                branchTag = terminator.tag
                condition = try self.condition(of: terminator.tag)
            case "else":
                if elseTag != nil {
                    throw TemplateSyntaxError("an `if` block can only have one `else`", at: terminator.tag.location)
                }
                try requireBareTag(terminator.tag)
                elseTag = terminator.tag
            case "endif":
                try requireBareTag(terminator.tag)
                return .ifBlock(IfNode(branches: branches, otherwise: otherwise), end: terminator.tag.whitespace)
            default:
                throw Self.mismatched(terminator, block: "if", opened: tag, closer: "endif")
            }
        }
    }

    private mutating func parseFor(_ tag: TagContent) throws -> TemplateNode {
        var parser = argumentParser(tag)
        let first = try parser.parseIdentifier("a loop variable name")
        var keyName: String?
        var valueName = first
        if parser.consumeSymbol(",") {
            keyName = first
            valueName = try parser.parseIdentifier("a loop variable name")
        }
        try parser.parseKeyword("in")
        let container = try parser.parseLoopContainer()

        var body: [TemplateNode] = []
        var emptyBody: [TemplateNode]?
        var inElse = false
        while true {
            let (nodes, terminator) = try parseBody(insideLoop: true)
            if inElse { emptyBody = nodes } else { body = nodes }
            guard let terminator else { throw Self.unclosed("for", opened: tag, closer: "endfor") }
            switch terminator.keyword {
            case "else":
                // Tera accepts several `else` tags in a loop; the last one wins. Its whitespace
                // control markers are ignored, as in Tera.
                try requireBareTag(terminator.tag)
                inElse = true
            case "endfor":
                try requireBareTag(terminator.tag)
                let loop = ForLoopNode(
                    keyName: keyName, valueName: valueName, container: container, body: body,
                    emptyBody: emptyBody, line: tag.location.line)
                return .forLoop(start: tag.whitespace, loop, end: terminator.tag.whitespace)
            default:
                throw Self.mismatched(terminator, block: "for", opened: tag, closer: "endfor")
            }
        }
    }

    private mutating func parseFilterSection(_ tag: TagContent) throws -> TemplateNode {
        var parser = argumentParser(tag)
        let filter = try parser.parseFilterSectionCall()
        let (body, terminator) = try parseBody(insideLoop: false)
        guard let terminator else { throw Self.unclosed("filter", opened: tag, closer: "endfilter") }
        guard terminator.keyword == "endfilter" else {
            throw Self.mismatched(terminator, block: "filter", opened: tag, closer: "endfilter")
        }
        try requireBareTag(terminator.tag)
        let section = FilterSectionNode(filter: filter, body: body, line: tag.location.line)
        return .filterSection(start: tag.whitespace, section, end: terminator.tag.whitespace)
    }

    // MARK: - Helpers

    private static func keyword(of tag: TagContent) throws -> String {
        guard case .word(let keyword) = tag.tokens[0].kind else {
            let token = tag.tokens[0]
            throw TemplateSyntaxError(
                "unexpected `\(token.display)`: expected a tag name such as `if`, `for` or `set`",
                at: token.location)
        }
        return keyword
    }

    /// A parser over the tokens after the tag's keyword.
    private func argumentParser(_ tag: TagContent) -> ExpressionParser {
        ExpressionParser(tokens: Array(tag.tokens.dropFirst()), maxDepth: limits.maxExpressionDepth)
    }

    private func condition(of tag: TagContent) throws -> Expression {
        var parser = argumentParser(tag)
        return try parser.parseCondition()
    }

    /// `else`, `endif`, `endfor` and `endfilter` take nothing but the keyword.
    private func requireBareTag(_ tag: TagContent) throws {
        var parser = argumentParser(tag)
        try parser.expectEnd()
    }

    private static func describe(_ location: SourceLocation) -> String {
        "line \(location.line), column \(location.column)"
    }

    private static func unclosed(_ block: String, opened tag: TagContent, closer: String) -> TemplateSyntaxError {
        TemplateSyntaxError(
            "unclosed `\(block)` block: expected `{% \(closer) %}` before the end of the template",
            at: tag.location)
    }

    private static func mismatched(_ terminator: BlockTag, block: String, opened: TagContent, closer: String) -> TemplateSyntaxError {
        TemplateSyntaxError(
            "unexpected `{% \(terminator.keyword) %}`: the `\(block)` block opened at \(describe(opened.location)) must be closed with `{% \(closer) %}` first",
            at: terminator.tag.location)
    }

    private static func strayTag(_ terminator: BlockTag) -> TemplateSyntaxError {
        let message: String
        switch terminator.keyword {
        case "elif", "endif": message = "there is no open `if` block"
        case "else": message = "there is no open `if` or `for` block"
        case "endfor": message = "there is no open `for` loop"
        default: message = "there is no open `filter` block"
        }
        return TemplateSyntaxError("unexpected `{% \(terminator.keyword) %}`: \(message)", at: terminator.tag.location)
    }
}
