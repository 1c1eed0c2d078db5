/// Finds every occurrence of a fixed set of keywords in a text in one pass (a trie over Unicode scalars, the
/// first level a flat table for the Basic Multilingual Plane), so that most positions cost one array read.
/// ASCII letters and full-width ASCII are folded to lower-case ASCII on both sides.
struct KeywordTrie: Sendable {
    private var root: [Int32]                 // BMP scalar → node, 0 = none
    private var rootAstral: [UInt32: Int32] = [:]
    private var children: [UInt64: Int32] = [:]
    private var terminal: [Int32] = [-1, -1]  // node → keyword id, -1 = none (node 0 unused, node 1 = root)

    init(_ keywords: [String]) {
        root = [Int32](repeating: 0, count: 0x10000)
        for (id, word) in keywords.enumerated() {
            var node: Int32 = 1
            for s in word.unicodeScalars.map(Self.fold) {
                node = child(of: node, s) ?? addChild(of: node, s)
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(id) }
        }
    }

    /// Lower-cases ASCII letters and maps full-width ASCII (U+FF01…U+FF5E) to ASCII.
    static func fold(_ s: Unicode.Scalar) -> Unicode.Scalar {
        var v = s.value
        if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }
        if v >= 0x41 && v <= 0x5A { v += 0x20 }
        return Unicode.Scalar(v) ?? s
    }

    private func child(of node: Int32, _ s: Unicode.Scalar) -> Int32? {
        if node == 1 {
            let found = s.value < 0x10000 ? root[Int(s.value)] : (rootAstral[s.value] ?? 0)
            return found == 0 ? nil : found
        }
        return children[UInt64(UInt32(node)) << 32 | UInt64(s.value)]
    }

    private mutating func addChild(of node: Int32, _ s: Unicode.Scalar) -> Int32 {
        let new = Int32(terminal.count)
        terminal.append(-1)
        if node == 1 {
            if s.value < 0x10000 { root[Int(s.value)] = new } else { rootAstral[s.value] = new }
        } else {
            children[UInt64(UInt32(node)) << 32 | UInt64(s.value)] = new
        }
        return new
    }

    /// Every occurrence, as (start scalar offset, keyword id), in text order.
    func matches(in text: String) -> [(start: Int, keyword: Int)] {
        let scalars = text.unicodeScalars.map(Self.fold)
        var out: [(start: Int, keyword: Int)] = []
        for start in scalars.indices {
            guard var node = child(of: 1, scalars[start]) else { continue }
            var i = start
            while true {
                let id = terminal[Int(node)]
                if id >= 0 { out.append((start, Int(id))) }
                i += 1
                guard i < scalars.count, let next = child(of: node, scalars[i]) else { break }
                node = next
            }
        }
        return out
    }
}
