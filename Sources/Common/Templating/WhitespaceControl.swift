import BrokkrCommon
import BrokkrJSONSchema

// Applies `{%-`/`-%}` (and `{{-`, `-}}`, `{#-`, `-#}`) at parse time by trimming the neighbouring
// text nodes, following Tera's `remove_whitespace` pass step by step, quirks included:
// - a tag only trims a text node that directly precedes or follows it in the same body;
// - the `{% else %}` of a `for` loop ignores its markers and the loop's empty body is never trimmed.
// "Whitespace" is Unicode White_Space, newlines included, as Rust's `trim_start`/`trim_end`.

enum WhitespaceControl {
    /// `bodyWhitespace.left` trims the start of the body's first text node, `.right` the end of its last.
    static func apply(_ nodes: [TemplateNode], bodyWhitespace: TagWhitespace? = nil) -> [TemplateNode] {
        var result: [TemplateNode] = []
        var previousWasText = false
        var trimLeftNext = bodyWhitespace?.left ?? false

        for node in nodes {
            switch node {
            case .text(let text):
                previousWasText = true
                guard trimLeftNext else {
                    result.append(node)
                    continue
                }
                trimLeftNext = false
                let trimmed = text.trimmingLeadingWhitespace
                if !trimmed.isEmpty { result.append(.text(trimmed)) }
                continue

            case .variable(let ws, _, _), .set(let ws, _), .breakLoop(let ws, _), .continueLoop(let ws, _), .comment(let ws):
                if previousWasText && ws.left { trimEndOfLast(&result) }
                trimLeftNext = ws.right

            case .raw(let start, let body, let end):
                if previousWasText && start.left { trimEndOfLast(&result) }
                previousWasText = false
                trimLeftNext = end.right
                if start.right || end.left {
                    var trimmed = body
                    if start.right { trimmed = trimmed.trimmingLeadingWhitespace }
                    if end.left { trimmed = trimmed.trimmingTrailingWhitespace }
                    result.append(.raw(start: start, trimmed, end: end))
                    continue
                }

            case .forLoop(let start, var loop, let end):
                if previousWasText && start.left { trimEndOfLast(&result) }
                previousWasText = false
                trimLeftNext = end.right
                loop.body = apply(loop.body, bodyWhitespace: TagWhitespace(left: start.right, right: end.left))
                result.append(.forLoop(start: start, loop, end: end))
                continue

            case .filterSection(let start, var section, let end):
                if previousWasText && start.left { trimEndOfLast(&result) }
                previousWasText = false
                trimLeftNext = end.right
                section.body = apply(section.body, bodyWhitespace: TagWhitespace(left: start.right, right: end.left))
                result.append(.filterSection(start: start, section, end: end))
                continue

            case .ifBlock(let ifNode, let end):
                trimLeftNext = end.right
                var branches: [IfBranch] = []
                for var branch in ifNode.branches {
                    if branch.whitespace.left {
                        if branches.isEmpty {
                            if previousWasText { trimEndOfLast(&result) }
                        } else {
                            trimEndOfLast(&branches[branches.count - 1].body)
                        }
                    }
                    // Whether the next `{%-` trims this body is only known at the next branch.
                    branch.body = apply(branch.body, bodyWhitespace: TagWhitespace(left: branch.whitespace.right, right: false))
                    branches.append(branch)
                }
                previousWasText = false

                if let (elseWhitespace, body) = ifNode.otherwise {
                    if elseWhitespace.left, !branches.isEmpty { trimEndOfLast(&branches[branches.count - 1].body) }
                    var elseBody = apply(body, bodyWhitespace: TagWhitespace(left: elseWhitespace.right, right: false))
                    if end.left { trimEndOfLast(&elseBody) }
                    result.append(.ifBlock(IfNode(branches: branches, otherwise: (elseWhitespace, elseBody)), end: end))
                    continue
                }
                if end.left, !branches.isEmpty { trimEndOfLast(&branches[branches.count - 1].body) }
                result.append(.ifBlock(IfNode(branches: branches, otherwise: nil), end: end))
                continue
            }

            previousWasText = false
            result.append(node)
        }

        if let bodyWhitespace, bodyWhitespace.right { trimEndOfLast(&result) }
        return result
    }

    /// Trims the end of the last node if it is text, dropping it when nothing is left.
    private static func trimEndOfLast(_ nodes: inout [TemplateNode]) {
        guard case .text(let text)? = nodes.last else { return }
        nodes.removeLast()
        let trimmed = text.trimmingTrailingWhitespace
        if !trimmed.isEmpty { nodes.append(.text(trimmed)) }
    }
}
