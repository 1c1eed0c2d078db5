/// An appeal's category in the three-level taxonomy (一级/二级/三级分类); levels 2 and 3 are optional.
public struct CategoryPath: Hashable, Sendable, Codable {
    /// e.g. 城乡建设.
    public var level1: String
    /// e.g. 市政设施.
    public var level2: String?
    /// e.g. 路灯.
    public var level3: String?

    public init(level1: String, level2: String? = nil, level3: String? = nil) {
        self.level1 = level1
        self.level2 = level2
        self.level3 = level3
    }

    /// The levels joined with "/", e.g. 城乡建设/市政设施/路灯.
    public var displayName: String { [level1, level2, level3].compactMap { $0 }.joined(separator: "/") }

    private enum CodingKeys: String, CodingKey { case level1, level2, level3 }

    /// Writes an unresolved level as `null` rather than leaving its key out, as the messages promise
    /// ("levels 2 and 3 when resolved, else null"), so a consumer in any language finds every key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(level1, forKey: .level1)
        try container.encode(level2, forKey: .level2)
        try container.encode(level3, forKey: .level3)
    }
}
