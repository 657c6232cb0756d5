import Foundation

extension UUID {
    /// Parses the canonical text form (8-4-4-4-12 hex digits, either case), as `UUID(uuidString:)`
    /// does, without its `sscanf` (which also lets white space through): every API request with an id
    /// in its path parses one or two, and profiles of the target-state polls showed the `sscanf`
    /// among their costs.
    public init?(text: some StringProtocol) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = text.utf8.withContiguousStorageIfAvailable { Self.parse($0, into: &bytes) } ?? Self.parse(Array(text.utf8), into: &bytes)
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    private static func parse(_ text: some Collection<UInt8>, into bytes: inout uuid_t) -> Bool {
        guard text.count == 36 else { return false }
        var nibbles = 0
        var high: UInt8 = 0
        return withUnsafeMutableBytes(of: &bytes) { out in
            for (offset, char) in text.enumerated() {
                if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                    guard char == UInt8(ascii: "-") else { return false }
                    continue
                }
                let value: UInt8
                switch char {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = char &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = char &- UInt8(ascii: "a") &+ 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = char &- UInt8(ascii: "A") &+ 10
                default: return false
                }
                if nibbles % 2 == 0 {
                    high = value << 4
                } else {
                    out[nibbles / 2] = high | value
                }
                nibbles += 1
            }
            return true
        }
    }
}
