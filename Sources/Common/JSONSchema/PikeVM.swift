import BrokkrCommon

// A regular expression compiled to an NFA program and run as a Pike VM: all alternatives advance
// together over the input, one step per input character, each program position live at most once
// per step. The work is O(input length × program length) for every pattern and input, where a
// backtracking matcher can take exponential time (`(x+x+)+y` against a run of `x`).

struct PikeProgram: Sendable {
    private enum Instruction: Sendable {
        case scalar(UInt32)
        case set(Int)
        /// Continue at both targets (an alternation or a loop).
        case split(Int, Int)
        case jump(Int)
        case inputStart
        case inputEnd
        case wordBoundary(negated: Bool)
        case match
    }

    private var instructions: [Instruction] = []
    private var sets: [ScalarSet] = []

    /// Programs larger than this are not built (counted repetitions multiply the pattern); the
    /// caller uses the fallback matcher.
    static let maxInstructions = 20_000

    private struct TooLarge: Error {}

    init?(_ node: RegexNode) {
        do {
            try emit(node)
        } catch {
            return nil
        }
        instructions.append(.match)
    }

    // MARK: - Compiling

    private mutating func append(_ instruction: Instruction) throws -> Int {
        guard instructions.count < Self.maxInstructions else { throw TooLarge() }
        instructions.append(instruction)
        return instructions.count - 1
    }

    private mutating func emit(_ node: RegexNode) throws {
        switch node {
        case .empty:
            break
        case .scalar(let value):
            _ = try append(.scalar(value))
        case .set(let set):
            sets.append(set)
            _ = try append(.set(sets.count - 1))
        case .inputStart:
            _ = try append(.inputStart)
        case .inputEnd:
            _ = try append(.inputEnd)
        case .wordBoundary(let negated):
            _ = try append(.wordBoundary(negated: negated))
        case .sequence(let nodes):
            for node in nodes { try emit(node) }
        case .alternation(let branches):
            var jumpsToEnd: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i == branches.count - 1 {
                    try emit(branch)
                } else {
                    let split = try append(.split(0, 0))
                    try emit(branch)
                    jumpsToEnd.append(try append(.jump(0)))
                    instructions[split] = .split(split + 1, instructions.count)
                }
            }
            for jump in jumpsToEnd { instructions[jump] = .jump(instructions.count) }
        case .repeated(let body, let min, let max):
            for _ in 0..<min { try emit(body) }
            if let max {
                // Each optional copy may be skipped straight to the end.
                var skips: [Int] = []
                for _ in min..<max {
                    skips.append(try append(.split(0, 0)))
                    try emit(body)
                }
                for skip in skips { instructions[skip] = .split(skip + 1, instructions.count) }
            } else {
                let loop = try append(.split(0, 0))
                try emit(body)
                _ = try append(.jump(loop))
                instructions[loop] = .split(loop + 1, instructions.count)
            }
        }
    }

    // MARK: - Matching

    struct BudgetExceeded: Error {}

    /// Whether the pattern matches anywhere in `input` (ECMA-262 `test`). Throws once `budget`
    /// thread steps are spent, which only very long inputs against very large programs reach.
    func matches(_ input: [UInt32], budget: Int) throws(BudgetExceeded) -> Bool {
        var current = ThreadList(capacity: instructions.count)
        var next = ThreadList(capacity: instructions.count)
        var stack: [Int] = []
        var steps = 0
        // An anchored pattern can only start at position 0.
        let anchored: Bool = {
            if case .inputStart = instructions[0] { return true }
            return false
        }()

        for position in 0...input.count {
            if position == 0 || !anchored {
                if try addThread(0, at: position, in: input, to: &current, stack: &stack, steps: &steps, budget: budget) {
                    return true
                }
            }
            if position == input.count || (anchored && current.isEmpty) { break }
            let c = input[position]
            for pc in current.members {
                let advances: Bool
                switch instructions[pc] {
                case .scalar(let value): advances = value == c
                case .set(let index): advances = sets[index].contains(c)
                default: advances = false
                }
                if advances,
                    try addThread(pc + 1, at: position + 1, in: input, to: &next, stack: &stack, steps: &steps, budget: budget)
                {
                    return true
                }
            }
            swap(&current, &next)
            next.removeAll()
        }
        return false
    }

    /// Follows jumps, splits and assertions from `pc` at `position`, adding the threads that wait for
    /// a character. Returns true when a thread reaches `match`.
    private func addThread(
        _ pc: Int, at position: Int, in input: [UInt32], to list: inout ThreadList,
        stack: inout [Int], steps: inout Int, budget: Int
    ) throws(BudgetExceeded) -> Bool {
        stack.append(pc)
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            steps += 1
            guard steps <= budget else { throw BudgetExceeded() }
            switch instructions[pc] {
            case .match:
                return true
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .inputStart:
                if position == 0 { stack.append(pc + 1) }
            case .inputEnd:
                if position == input.count { stack.append(pc + 1) }
            case .wordBoundary(let negated):
                let before = position > 0 && ScalarSet.word.contains(input[position - 1])
                let after = position < input.count && ScalarSet.word.contains(input[position])
                if (before != after) != negated { stack.append(pc + 1) }
            case .scalar, .set:
                break  // stays in the list, waiting for the next character
            }
        }
        return false
    }
}

/// The live program positions of one step, in insertion order, each at most once (a sparse set:
/// constant-time insert and clear).
private struct ThreadList {
    private var dense: [Int]
    private var sparse: [Int]
    private var count = 0

    init(capacity: Int) {
        dense = [Int](repeating: 0, count: capacity)
        sparse = [Int](repeating: 0, count: capacity)
    }

    var isEmpty: Bool { count == 0 }
    var members: ArraySlice<Int> { dense[0..<count] }

    mutating func insert(_ pc: Int) -> Bool {
        let slot = sparse[pc]
        if slot < count, dense[slot] == pc { return false }
        sparse[pc] = count
        dense[count] = pc
        count += 1
        return true
    }

    mutating func removeAll() { count = 0 }
}
