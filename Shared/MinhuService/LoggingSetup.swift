import Logging

/// Process-wide logging set-up: swift-log to standard error with metadata, at the configured level.
public enum LoggingSetup {
    /// Bootstraps swift-log once and returns the service's logger (metadata `service` set).
    public static func bootstrap(serviceName: String, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: serviceName)
        logger.logLevel = level
        logger[metadataKey: "service"] = "\(serviceName)"
        return logger
    }
}
