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
            return try Data(contentsOf: url, options: mapped ? .mappedIfSafe : [])
        } catch {
            throw DataFileError.cannotRead(url.path, (error as NSError).localizedDescription)
        }
    }

    /// Throws when a file cannot be created or replaced at `url`: its folder is missing, not a folder or not
    /// writable, or the path is a folder. Nothing is written.
    public static func checkWritable(_ url: URL) throws {
        if let problem = writeProblem(url.path) { throw DataFileError.cannotWrite(url.path, problem) }
    }

    /// Writes `data` to `url` atomically (a temporary file renamed into place).
    public static func write(_ data: Data, to url: URL) throws {
        try checkWritable(url)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw DataFileError.cannotWrite(url.path, (error as NSError).localizedDescription)
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
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
        let folder = (path as NSString).deletingLastPathComponent.isEmpty
            ? FileManager.default.currentDirectoryPath : (path as NSString).deletingLastPathComponent
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

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}
