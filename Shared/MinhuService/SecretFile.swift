import Foundation

/// A password kept in a file of its own (a container secret such as `/run/secrets/amqp`), read the same way by the
/// services (`MINHU_AMQP_PASSWORD_FILE`, `MINHU_DATABASE_PASSWORD_FILE`) and by the commands that create the users
/// (`minhu topology users`, `minhu roles login`).
///
/// The file holds the password on its first line; one trailing line break is ignored. A password is 12–256
/// printable ASCII characters without spaces (`!` to `~`): what every client, URL form and PostgreSQL's SCRAM
/// (which would normalise other characters) take unchanged. Errors name the file and the rule, never the content.
public enum SecretFile {
    public static let minimumLength = 12
    public static let maximumLength = 256

    /// Why a secret file was refused.
    public struct Refusal: Error, CustomStringConvertible, Sendable, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// The password in the file at `path`.
    /// - Throws: `Refusal` when the file cannot be read or its content is not a password by the rule above.
    public static func read(_ path: String) throws -> String {
        // At most one byte more than a password and its line break: a wrong path (a device, a large file) is not
        // read whole.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Refusal(path: path, reason: "cannot be read (missing, or not readable by this user)")
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: maximumLength + 3) ?? Data() } catch {
            throw Refusal(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        guard data.count <= maximumLength + 2 else {
            throw Refusal(path: path, reason: "longer than \(maximumLength) characters")
        }
        return try password(in: data, path: path)
    }

    /// The password held in `data` (the content of the file at `path`, named in errors).
    public static func password(in data: Data, path: String) throws -> String {
        var bytes = [UInt8](data)
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        if bytes.isEmpty { throw Refusal(path: path, reason: "is empty") }
        if bytes.contains(0x0A) { throw Refusal(path: path, reason: "holds more than one line") }
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Refusal(path: path, reason: "holds a space, a control character or a non-ASCII character "
                              + "(a password here is printable ASCII from ! to ~)")
        }
        guard bytes.count >= minimumLength else {
            throw Refusal(path: path, reason: "shorter than \(minimumLength) characters")
        }
        guard bytes.count <= maximumLength else {
            throw Refusal(path: path, reason: "longer than \(maximumLength) characters")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
