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

    /// Each message with its metadata (the handler's and the call's), as one line.
    let lines = Locked<[String]>([])

    func log(event: LogEvent) {
        records.withLock { $0.append((event.level, event.message.description)) }
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        lines.withLock { $0.append("\(event.message) \(rendered)") }
    }

    /// A logger writing to a new recorder, and the recorder.
    static func logger() -> (Logger, RecordingLogHandler) {
        let handler = RecordingLogHandler()
        return (Logger(label: "test.recording") { _ in handler }, handler)
    }
}
