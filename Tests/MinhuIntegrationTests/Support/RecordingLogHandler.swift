import Logging

/// A `LogHandler` that keeps every message logged through it, for tests that check what a service logs.
struct RecordingLogHandler: LogHandler {
    /// The messages, in order, with their level.
    let records = Locked<[(level: Logger.Level, message: String)]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.withLock { $0.append((event.level, event.message.description)) }
    }

    /// A logger writing to a new recorder, and the recorder.
    static func logger() -> (Logger, RecordingLogHandler) {
        let handler = RecordingLogHandler()
        return (Logger(label: "test.recording") { _ in handler }, handler)
    }
}
