import Foundation

/// Finds the files the project ships under `models/` (the classifier, the rules, the gazetteer, the subcategory
/// rules) from any working directory.
///
/// Search order: for the classifier, `MINHU_CLASSIFIER_MODEL` first (returned even when the file is missing,
/// so a wrong setting fails loudly); then `<executable dir>/models/<name>` and
/// `<executable dir>/../share/minhu/models/<name>`; then, in a development checkout, every ancestor of the
/// executable's directory and of this source file holding `models/<name>`.
public enum ShippedModel {
    public static let classifierFileName = "classifier-v1.mhc"
    public static let rulesFileName = "rules-a-city.json"
    public static let gazetteerFileName = "gazetteer-a-city.json"
    public static let subcategoriesFileName = "subcategories-a-city.json"
    public static let heldOutIDsFileName = "heldout-ids.txt"
    public static let environmentKey = "MINHU_CLASSIFIER_MODEL"

    private static let sourceFile: String = #filePath

    /// The classifier model's location, or nil when none is found.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let path = environment[environmentKey], !path.isEmpty { return URL(fileURLWithPath: path) }
        return locate(resource: classifierFileName)
    }

    /// Loads the classifier found by `locate()`.
    public static func loadClassifier(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TextClassifier {
        guard let url = locate(environment: environment) else {
            throw ModelError.notFound("set \(environmentKey) or install models/\(classifierFileName) beside the executable")
        }
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError.notFound(url.path) }
        return try TextClassifier(contentsOf: url)
    }

    /// Any shipped file under `models/` by name (no environment override).
    public static func locate(resource name: String) -> URL? {
        let fm = FileManager.default
        var roots: [URL] = []
        if let exe = executableDirectory() {
            roots.append(exe.appendingPathComponent("models"))
            roots.append(exe.deletingLastPathComponent().appendingPathComponent("share/minhu/models"))
        }
        for candidate in roots {
            let url = candidate.appendingPathComponent(name)
            if fm.fileExists(atPath: url.path) { return url.standardizedFileURL }
        }
        var starts: [URL] = []
        if let exe = executableDirectory() { starts.append(exe) }
        let source = URL(fileURLWithPath: sourceFile)
        starts.append(source.deletingLastPathComponent())
        starts.append(source.resolvingSymlinksInPath().deletingLastPathComponent())
        for start in starts {
            var dir = start
            for _ in 0..<12 {
                let url = dir.appendingPathComponent("models").appendingPathComponent(name)
                if fm.fileExists(atPath: url.path) { return url.standardizedFileURL }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    /// The repository root of a development checkout (the directory holding `Package.swift` above this
    /// source file), when there is one.
    public static func sourceCheckoutRoot() -> URL? {
        var dir = URL(fileURLWithPath: sourceFile).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static func executableDirectory() -> URL? {
        if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath().deletingLastPathComponent() }
        guard let arg0 = CommandLine.arguments.first, !arg0.isEmpty else { return nil }
        return URL(fileURLWithPath: arg0).resolvingSymlinksInPath().deletingLastPathComponent()
    }
}
