import Foundation

/// Reads and writes the files the text commands take (CSV inputs, models, rules, gazetteers, outputs) with errors a
/// person can act on ("cannot read x.csv: no such file") instead of Foundation's error dumps.
///
/// ```swift
/// let data = try DataFile.read(URL(fileURLWithPath: "appeals.csv"))
/// try DataFile.checkWritable(URL(fileURLWithPath: "out/classes.csv"))   // before long work
/// ```
public enum DataFile {
    /// The bytes of the file at `url` (memory-mapped when `mapped`).
    public static func read(_ url: URL, mapped: Bool = false) throws -> Data {
        if let problem = readProblem(url.path) { throw DataFileError.cannotRead(url.path, problem) }
        do {
            if !isRegularFile(url.path) {
                // A pipe or a device (/dev/stdin, a process substitution): read it to its end as a stream.
                guard let handle = FileHandle(forReadingAtPath: url.path) else {
                    throw DataFileError.cannotRead(url.path, "cannot open it")
                }
                defer { try? handle.close() }
                return try handle.readToEnd() ?? Data()
            }
            return try Data(contentsOf: url, options: mapped ? .mappedIfSafe : [])
        } catch let error as DataFileError {
            throw error
        } catch {
            throw DataFileError.cannotRead(url.path, (error as NSError).localizedDescription)
        }
    }

    /// Throws when a file cannot be created or replaced at `url`: its folder is missing, not a folder or not
    /// writable, or the path is a folder. Nothing is written.
    public static func checkWritable(_ url: URL) throws {
        if let problem = writeProblem(url.path) { throw DataFileError.cannotWrite(url.path, problem) }
    }

    /// Writes `data` to `url` atomically (a temporary file renamed into place). A symbolic link is written
    /// through (the file it names is replaced, the link stays); a device or pipe (/dev/stdout) is written to
    /// directly, since it cannot be replaced.
    public static func write(_ data: Data, to url: URL) throws {
        try checkWritable(url)
        let target = url.resolvingSymlinksInPath()
        do {
            if FileManager.default.fileExists(atPath: target.path) && !isRegularFile(target.path) {
                guard let handle = FileHandle(forWritingAtPath: target.path) else {
                    throw DataFileError.cannotWrite(url.path, "cannot open it")
                }
                defer { try? handle.close() }
                try handle.write(contentsOf: data)
                return
            }
            if target != url { try checkWritable(target) }
            try data.write(to: target, options: .atomic)
        } catch let error as DataFileError {
            throw error
        } catch {
            throw DataFileError.cannotWrite(url.path, (error as NSError).localizedDescription)
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// The JSON document at `url` decoded as `type`; a file that is not JSON, or not of that shape, is named with
    /// where it goes wrong ("districts[3].name: expected a string").
    public static func decodeJSON<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data = try read(url)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                // JSONDecoder does not say where; JSONSerialization gives a byte offset ("around character 30").
                do { _ = try JSONSerialization.jsonObject(with: data) } catch {
                    let detail = "\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error)"
                    throw DataFileError.invalid(url.path, "not valid JSON\(location(detail, in: data)): \(detail)")
                }
            }
            throw DataFileError.invalid(url.path, reason(error))
        }
    }

    /// " at line L, column C" for a JSONSerialization message that names a byte offset ("around character 30"),
    /// counted in lines and characters as an editor shows them; " at its end (line L) …" when the document stops
    /// early; "" otherwise.
    static func location(_ message: String, in data: Data) -> String {
        let newline = UInt8(ascii: "\n")
        /// The line a position after `bytes` is on.
        func line(after bytes: Data) -> Int { bytes.reduce(1) { $1 == newline ? $0 + 1 : $0 } }
        if message.contains("end of file") {   // "Unexpected end of file during JSON parse."
            return " at its end (line \(line(after: data) - (data.last == newline ? 1 : 0))): the file is cut short"
        }
        guard let range = message.range(of: #"around character \d+"#, options: .regularExpression),
              let offset = Int(message[range].split(separator: " ").last ?? ""), offset <= data.count
        else { return "" }
        let before = data.prefix(offset)
        let lineStart = before.lastIndex(of: newline).map { $0 + 1 } ?? before.startIndex
        let column = String(decoding: before[lineStart...], as: UTF8.self).unicodeScalars.count + 1
        return " at line \(line(after: before)), column \(column)"
    }

    /// A decoding error in a sentence: where (the key path) and what.
    static func reason(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the document" : text
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let expected, let context):
            return "\(path(context.codingPath)): expected \(describe(expected))"
        case .valueNotFound(let expected, let context):
            return "\(path(context.codingPath)): expected \(describe(expected)), found null"
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object (\(name))"
        }
    }

    /// Throws when `output` is the same file as one of `inputs` (also through a link): writing it would replace
    /// what is being read. `option` names the output in the message.
    public static func checkDistinct(_ output: URL, from inputs: [URL], option: String) throws {
        guard let out = identity(output.path) else { return }
        for input in inputs where identity(input.path) == out {
            throw DataFileError.cannotWrite(output.path, "it is the input file \(input.path); \(option) needs another path")
        }
    }

    /// Device and inode of the file at `path` (links followed), nil when there is none.
    private static func identity(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    /// True for a regular file (links followed); false for a pipe, a device, a socket or nothing.
    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    private static func readProblem(_ path: String) -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "no such file" }
        if isFolder.boolValue { return "it is a folder" }
        return FileManager.default.isReadableFile(atPath: path) ? nil : "permission denied"
    }

    private static func writeProblem(_ path: String) -> String? {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { return "it is a folder" }
        }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? FileManager.default.currentDirectoryPath : parent
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            return "the folder \(folder) does not exist"
        }
        if !isFolder.boolValue { return "\(folder) is not a folder" }
        return FileManager.default.isWritableFile(atPath: folder) ? nil : "the folder \(folder) is not writable"
    }
}

/// A file that could not be read or written, with the reason.
public enum DataFileError: Error, CustomStringConvertible, Sendable, Equatable {
    case cannotRead(String, String)
    case cannotWrite(String, String)
    /// The file was read but its content is not what it should be (bad JSON, a bad rule).
    case invalid(String, String)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .invalid(let path, let reason): return "\(path): \(reason)"
        }
    }
}
