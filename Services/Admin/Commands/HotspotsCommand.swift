import ArgumentParser
import Foundation
import MinhuText

/// `minhu hotspots`: find hot issues (热点问题) in a CSV file of appeals (reads files only; no servers).
struct HotspotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "Cluster similar appeals in a CSV file and list the hot issues raised by the most people.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, table }

    @Option(name: .long, help: "CSV with id,title,submitted_at,detail (user/likes/against optional), or the Chinese headers 留言编号,留言主题,留言时间,留言详情 (留言用户/点赞数/反对数); UTF-8, UTF-16 or GBK.")
    var input: String
    @Option(name: .long, help: "How many hotspots to list.")
    var top: Int = 10
    @Option(name: .long, help: "json or table.")
    var format: Format = .table
    @Option(name: .long, help: "Rank by people (distinct users; a row without a user counts as one), size (appeals), or weighted (people + ln(1 + likes + objections)).")
    var rank: HotspotRanking = .people
    @Flag(name: .long, help: "The same as --rank weighted.")
    var weighted = false
    @Option(name: .long, help: "Similarity needed to join a cluster (0…1).")
    var threshold: Float?
    @Option(name: .long, help: "Window in days: appeals further apart are not compared.")
    var windowDays: Double = 180
    @Option(name: .long, help: ArgumentHelp("Weight of title bigrams against detail bigrams.", visibility: .hidden))
    var titleWeight: Float?
    @Option(name: .long, help: ArgumentHelp("Characters of the detail compared.", visibility: .hidden))
    var detailChars: Int?
    @Option(name: .long, help: ArgumentHelp("Weight of the place token.", visibility: .hidden))
    var placeWeight: Float?
    @Option(name: .long, help: ArgumentHelp("Title-only similarity that also joins.", visibility: .hidden))
    var titleThreshold: Float?
    @Option(name: .long, help: ArgumentHelp("Title-to-cluster-centroid similarity that also joins (1 = never).", visibility: .hidden))
    var centroidThreshold: Float?
    @Option(name: .long, help: ArgumentHelp("Similarity without the place that a join also needs (0 = no check).", visibility: .hidden))
    var matterThreshold: Float?
    @Option(name: .long, help: "Title-centroid similarity at which clusters merge (1 = never).")
    var mergeThreshold: Float?

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1 (got \(top))") }
        guard windowDays > 0 else { throw ValidationError("--window-days must be positive (got \(windowDays))") }
        let unitInterval: [(String, Float?)] = [("--threshold", threshold), ("--title-threshold", titleThreshold),
                                                ("--centroid-threshold", centroidThreshold),
                                                ("--matter-threshold", matterThreshold)]
        for case let (name, value?) in unitInterval where !(0...1).contains(value) {
            throw ValidationError("\(name) must be between 0 and 1 (got \(value))")
        }
        if let mergeThreshold, !(mergeThreshold > 0 && mergeThreshold <= 1) {
            throw ValidationError("--merge-threshold must be above 0 and at most 1 (got \(mergeThreshold))")
        }
        for case let (name, value?) in [("--title-weight", titleWeight), ("--place-weight", placeWeight)] where value < 0 {
            throw ValidationError("\(name) must not be negative (got \(value))")
        }
        if let detailChars, detailChars < 0 { throw ValidationError("--detail-chars must not be negative (got \(detailChars))") }
    }

    func run() throws {
        let table = try CSVTable(contentsOf: URL(fileURLWithPath: input))
        if table.encoding != .utf8 {
            FileHandle.standardError.write(Data("note: \(input) read as \(table.encoding.rawValue)\n".utf8))
        }
        let (appeals, undated) = try AppealColumns.records(in: table, file: input)
        if !appeals.isEmpty && undated == appeals.count {
            throw CommandFailure("\(input): no row has a readable submitted_at (or 留言时间), e.g. 2019-01-15 10:08:32 "
                                 + "or 2019/1/15 10:08; hotspots are counted within a time window, so they need dates")
        }
        if AppealColumns.index(of: "title", in: table) == nil {
            FileHandle.standardError.write(Data(
                "note: \(input) has no title column; each appeal's title is the first sentence of its detail\n".utf8))
        }
        var options = SimilarityIndex.Options()
        if let threshold { options.threshold = threshold }
        options.window = windowDays * 86_400
        if let titleWeight { options.titleWeight = titleWeight }
        if let detailChars { options.detailChars = detailChars }
        if let placeWeight { options.placeWeight = placeWeight }
        if let titleThreshold { options.titleThreshold = titleThreshold }
        if let centroidThreshold { options.centroidThreshold = centroidThreshold }
        if let matterThreshold { options.matterThreshold = matterThreshold }
        var finder = HotspotFinder(options: options, recognizer: try Self.gazetteer())
        if let mergeThreshold { finder.mergeThreshold = mergeThreshold }
        let spots = finder.find(appeals, top: top, ranking: weighted ? .weighted : rank)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(spots), as: UTF8.self))
        case .table:
            print("rank\tpeople\tsize\tfirst\tlast\tplace\ttitle")
            // One line per hotspot: a line break or tab inside a title would split the row.
            func cell(_ text: String) -> String {
                String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
            }
            for (i, s) in spots.enumerated() {
                print("\(i + 1)\t\(s.people)\t\(s.size)\t\(s.first.prefix(10))\t\(s.last.prefix(10))\t\(cell(s.place ?? "-"))\t\(cell(s.title))")
            }
        }
        if undated > 0 {
            FileHandle.standardError.write(Data("note: \(undated) rows without a readable submitted_at were dated 1970-01-01\n".utf8))
        }
    }

    /// The gazetteer: `MINHU_GAZETTEER_FILE` (an error when it cannot be used, as the dispatcher refuses to start),
    /// else the shipped one; without one, a note, and the hotspots are found without places.
    static func gazetteer() throws -> PlaceRecognizer? {
        do {
            return try PlaceRecognizer.loadShipped()
        } catch {
            if let path = ProcessInfo.processInfo.environment["MINHU_GAZETTEER_FILE"], !path.isEmpty {
                throw CommandFailure("MINHU_GAZETTEER_FILE: \(error)")
            }
            FileHandle.standardError.write(Data("note: no gazetteer (\(error)); places are not recognised\n".utf8))
            return nil
        }
    }
}

extension HotspotRanking: ExpressibleByArgument {}
