import Foundation

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// SplitMix64: a tiny seeded generator, so every generated case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` on a thread with a bounded stack, so a test fails by crashing if input could still drive
/// recursion deep: half a default 8 MiB thread stack, which the cases at the limits fit in even in a
/// debug build, while the hostile inputs (10,000 levels) would need tens of MiB. Returns the result
/// and the seconds taken.
func onSmallStack<T: Sendable>(stackSize: Int = 4 * 1024 * 1024, _ body: @escaping @Sendable () -> T) -> (T, Double) {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let start = Date()
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.stackSize = stackSize
    thread.start()
    done.wait()
    return (box.value!, Date().timeIntervalSince(start))
}

/// Carries a result out of the thread; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// A generous bound for "answers at all"; the cases under test used to run for minutes or forever.
let answersWithinSeconds = 5.0

enum Outcome: Sendable, Equatable {
    case success
    case failure(String)

    var message: String? {
        if case .failure(let message) = self { return message }
        return nil
    }
}

func outcome(_ body: () throws -> Void) -> Outcome {
    do {
        try body()
        return .success
    } catch {
        return .failure("\(error)")
    }
}

func render(_ source: String, _ context: JSONValue = .object([:]), limits: TemplateLimits = .default) -> Outcome {
    outcome { _ = try TeraTemplate(source: source, limits: limits).render(context) }
}
