/// Labels unlabelled messages through their labelled twins, so a message known in a cleaned form (word-segmented,
/// stop words removed) also trains the model in the form citizens write it.
///
/// A message is labelled when labelled rows are the same message as it (`HoldoutMatcher`'s rule: ≥ 80 % of a
/// row's token trigrams occur in the message) and all of them carry one label; a message whose twins disagree
/// stays unlabelled. The labelled message keeps its own id and text.
public struct TwinLabeler: Sendable {
    /// What `label(_:through:)` found.
    public struct Outcome: Sendable {
        /// The messages labelled, in input order.
        public var labelled: [LabeledText]
        /// Messages with twins of different labels, left out.
        public var conflicting: Int
    }

    public init() {}

    /// Labels each of `messages` (their labels are ignored) through its twins among `labelled`.
    public func label(_ messages: [LabeledText], through labelled: [LabeledText]) -> Outcome {
        let matcher = HoldoutMatcher(heldOut: messages.map(\.text))
        var labels: [Int: Set<String>] = [:]
        for row in labelled where !row.label.isEmpty {
            if let m = matcher.twin(of: row.text) { labels[m, default: []].insert(row.label) }
        }
        var out: [LabeledText] = []
        var conflicting = 0
        for (m, message) in messages.enumerated() {
            guard let found = labels[m] else { continue }
            guard found.count == 1, let label = found.first else { conflicting += 1; continue }
            out.append(LabeledText(id: message.id, text: message.text, label: label))
        }
        return Outcome(labelled: out, conflicting: conflicting)
    }
}
