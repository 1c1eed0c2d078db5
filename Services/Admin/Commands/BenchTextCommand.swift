import ArgumentParser
import Foundation
import MinhuText

/// `minhu bench text`: classification latency, cluster-join latency with a full window, and training time.
struct BenchTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Benchmark the classifier, the similarity index and training (run a release build).")

    @Option(name: .long, help: "Directory of the appeal CSV files.")
    var data: String?
    @Option(name: .long, help: "Appeals in the similarity window.")
    var window: Int = 100_000
    @Flag(name: .long, help: "Skip the training benchmark.")
    var skipTraining = false

    func run() throws {
        let dir = data.map { URL(fileURLWithPath: $0) } ?? ShippedModel.sourceCheckoutRoot()?
            .deletingLastPathComponent().appendingPathComponent("shared/data/appeals")
        guard let dir, FileManager.default.fileExists(atPath: dir.path) else {
            throw CommandFailure("appeal data not found; pass --data DIR")
        }
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let model = try ShippedModel.loadClassifier()
        print("model load: \(ms(DispatchTime.now().uptimeNanoseconds - loadStart)) ms")
        let raw = try TextDataset.load(dir.appendingPathComponent("hotspot-corpus.csv"), textColumns: ["title", "detail"], labelColumn: nil)

        // Classification, one appeal at a time.
        var times: [UInt64] = []
        for _ in 0..<2 {
            times.removeAll()
            for a in raw {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = model.classify(a.text)
                times.append(DispatchTime.now().uptimeNanoseconds - t0)
            }
        }
        times.sort()
        print("classify (\(times.count) appeals): p50 \(us(times[times.count / 2])) µs, p99 \(us(times[times.count * 99 / 100])) µs, max \(us(times.last!)) µs")

        // Kind, urgency and tier, as the dispatcher asks for them (each regular expression searched with a time limit).
        let rules = try AppealRules.loadShipped()
        times.removeAll()
        for a in raw {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = rules.assess(title: "", detail: a.text)
            times.append(DispatchTime.now().uptimeNanoseconds - t0)
        }
        times.sort()
        print("rules (\(times.count) appeals): p50 \(us(times[times.count / 2])) µs, "
              + "p99 \(us(times[times.count * 99 / 100])) µs, max \(us(times.last!)) µs")

        // Cluster join with `window` appeals in the window: synthetic variants of the real messages, each with its
        // place and cities from the shipped gazetteer, as the dispatcher adds them (recognition timed apart).
        let places = try? PlaceRecognizer.loadShipped()
        func located(_ title: String, _ detail: String) -> (place: String?, regions: [String]) {
            guard let r = places?.recognize(title: title, detail: detail) else { return (nil, []) }
            return (r.estate ?? r.community ?? r.road ?? r.street ?? r.district, r.regions)
        }
        var index = SimilarityIndex()
        let base = Date(timeIntervalSince1970: 1_560_000_000)
        let table = try CSVTable(contentsOf: dir.appendingPathComponent("hotspot-corpus.csv"))
        let ti = table.index(of: "title") ?? 2, di = table.index(of: "detail") ?? 4
        var rng = SplitMix64(seed: 7)
        let fill0 = DispatchTime.now().uptimeNanoseconds
        for i in 0..<window {
            let row = table.rows[i % table.rows.count]
            let suffix = String(rng.next() % 100_000)
            let found = located(row[ti], row[di])
            index.add(id: "f\(i)", title: row[ti] + suffix, detail: row[di], time: base.addingTimeInterval(Double(i)),
                      place: found.place, regions: found.regions)
        }
        print("filled window with \(index.windowCount) appeals in \(ms(DispatchTime.now().uptimeNanoseconds - fill0)) ms")
        var joins: [UInt64] = []
        var recognitions: [UInt64] = []
        for i in 0..<2_000 {
            let row = table.rows[Int(rng.next() % UInt64(table.rows.count))]
            let r0 = DispatchTime.now().uptimeNanoseconds
            let found = located(row[ti], row[di])
            let t0 = DispatchTime.now().uptimeNanoseconds
            index.add(id: "q\(i)", title: row[ti], detail: row[di], time: base.addingTimeInterval(Double(window + i)),
                      place: found.place, regions: found.regions)
            joins.append(DispatchTime.now().uptimeNanoseconds - t0)
            recognitions.append(t0 - r0)
        }
        joins.sort()
        recognitions.sort()
        print("place and city recognition\(places == nil ? " (no gazetteer found: skipped)" : ""): "
              + "p50 \(us(recognitions[recognitions.count / 2])) µs, p99 \(us(recognitions[recognitions.count * 99 / 100])) µs")
        print("cluster join with places and cities (window \(index.windowCount)): p50 \(us(joins[joins.count / 2])) µs, "
              + "p99 \(us(joins[joins.count * 99 / 100])) µs")

        if !skipTraining {
            var examples = try TextDataset.load(dir.appendingPathComponent("appeals-train-segmented.csv"), textColumns: nil, labelColumn: "category")
            examples += try TextDataset.load(dir.appendingPathComponent("appeals-train-raw.csv"), textColumns: ["title", "detail"], labelColumn: "category")
            let t0 = DispatchTime.now().uptimeNanoseconds
            let (trained, report) = ClassifierTrainer().train(examples)
            print("training on \(report.examples) examples: \(ms(DispatchTime.now().uptimeNanoseconds - t0)) ms (\(trained.labels.count) classes)")
        }
    }

    private func us(_ ns: UInt64) -> String { String(format: "%.1f", Double(ns) / 1_000) }
    private func ms(_ ns: UInt64) -> String { String(format: "%.1f", Double(ns) / 1_000_000) }
}
