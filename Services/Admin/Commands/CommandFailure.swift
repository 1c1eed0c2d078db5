import Foundation

/// A command that could not do its work (a missing file, a refused decision, a database or broker answer): printed as
/// `Error: …` and exit status 1. Problems with the command line itself stay `ValidationError` (status 64, with the
/// usage).
struct CommandFailure: Error, CustomStringConvertible, LocalizedError {
    var description: String
    init(_ description: String) { self.description = description }
    var errorDescription: String? { description }
}
