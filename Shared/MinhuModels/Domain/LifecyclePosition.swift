import Foundation

/// The order key of a lifecycle event: (round, dispatch attempt, lifecycle rank, event time), compared in that
/// order. Events from different producers can arrive out of order; a projection applies an event only when its
/// position is later than the one it holds, so a stale event from an earlier round or attempt is ignored.
///
/// ```swift
/// if event.lifecyclePosition > summary.position { apply(event) }
/// ```
public struct LifecyclePosition: Hashable, Comparable, Sendable, Codable {
    /// Handling round, 1 for the first; a reopened appeal starts the next round.
    public var round: Int
    /// Dispatch attempt within the round: 0 before the first dispatch, 1 for the first, +1 per redispatch.
    public var attempt: Int
    /// `AppealStatus.lifecycleRank` of the event (0 for events that change no status).
    public var rank: Int
    /// When the event happened.
    public var occurredAt: Date

    public init(round: Int, attempt: Int, rank: Int, occurredAt: Date) {
        self.round = round
        self.attempt = attempt
        self.rank = rank
        self.occurredAt = occurredAt
    }

    public static func < (lhs: LifecyclePosition, rhs: LifecyclePosition) -> Bool {
        (lhs.round, lhs.attempt, lhs.rank, lhs.occurredAt) < (rhs.round, rhs.attempt, rhs.rank, rhs.occurredAt)
    }
}
