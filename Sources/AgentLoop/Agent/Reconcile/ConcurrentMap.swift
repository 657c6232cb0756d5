extension Sequence where Element: Sendable {
    /// `transform` applied to every element with at most `limit` running at once; results in the
    /// sequence's order, whatever order they finish in.
    func concurrentMap<Result: Sendable>(limit: Int, _ transform: @escaping @Sendable (Element) async -> Result) async -> [Result] {
        let items = Array(self)
        return await withTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: items.count)
            var next = 0
            while next < Swift.min(Swift.max(limit, 1), items.count) {
                let index = next
                group.addTask { (index, await transform(items[index])) }
                next += 1
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < items.count {
                    let following = next
                    group.addTask { (following, await transform(items[following])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}
