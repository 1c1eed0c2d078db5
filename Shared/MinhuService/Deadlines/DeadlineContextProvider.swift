import Foundation
import Logging
import MinhuModels
import PostgresNIO

/// Hands the handler, the watcher and the decider their ``DeadlineContext``: a fixed one (tests), or one loaded
/// from the database on first use (the service: `calendar_days` may gain local days off before it starts).
public actor DeadlineContextProvider {
    private var cached: DeadlineContext?
    private let timeZone: TimeZone

    /// Always `context`.
    public init(_ context: DeadlineContext) {
        cached = context
        timeZone = context.timeZone
    }

    /// Loaded from the database (``DeadlineContext/load(on:timeZone:logger:)``) on first use, then kept.
    public init(loadingWith timeZone: TimeZone) {
        cached = nil
        self.timeZone = timeZone
    }

    public func context(on connection: PostgresConnection, logger: Logger) async throws -> DeadlineContext {
        if let cached { return cached }
        let loaded = try await DeadlineContext.load(on: connection, timeZone: timeZone, logger: logger)
        cached = loaded
        logger.info("deadline calendar loaded", metadata: ["calendar.local_off_days": "\(loaded.calendar.localOffDays.count)"])
        return loaded
    }
}
