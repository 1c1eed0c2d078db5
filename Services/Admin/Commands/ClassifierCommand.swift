import ArgumentParser
import Foundation
import MinhuText

/// `minhu classifier …`: train, evaluate and run the appeal category classifier (reads files only; no servers).
struct ClassifierCommand: ParsableCommand {
    /// Below this many distinct examples, `train` warns that a category's scores mean little.
    static let fewExamples = 20

    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train, evaluate and run the appeal category classifier.",
        subcommands: [Train.self, Evaluate.self, Classify.self, Split.self])

    /// Splits "title,detail" (or repeated options) into column names.
    static func columns(_ raw: [String]) -> [String]? {
        let names = raw.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }
        return names.isEmpty ? nil : names
    }

    static func loadModel(_ path: String?) throws -> TextClassifier {
        if let path { return try TextClassifier(contentsOf: URL(fileURLWithPath: path)) }
        return try ShippedModel.loadClassifier()
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model from labelled CSV files (raw title/detail or segmented text).")

        @Option(name: .long, help: "A labelled CSV file; repeat for several.")
        var data: [String]
        @Option(name: .long, help: "Text columns, comma-separated (default: title,detail; a file lacking them but having `text` uses `text`; Chinese headers such as 留言主题,留言详情 are found too).")
        var textColumns: [String] = []
        @Option(name: .long, help: "The label column (category also finds 一级标签, 一级分类, label).")
        var labelColumn: String = "category"
        @Option(name: .long, help: "Where to write the model.")
        var out: String
        @Option(name: .long, help: "Ids of held-out messages (one per line) to keep out of training, with their twins.")
        var holdoutIds: String?
        @Option(name: .long, help: "The CSV file the held-out ids refer to (default: the last --data file).")
        var holdoutData: String?
        @Option(name: .long, help: "An unlabelled CSV file (an id first, the text columns) whose messages are labelled through their twins among the --data rows (the same message, e.g. word-segmented; all twins of one label) and trained on in their own form; repeat for several.")
        var labelThroughTwins: [String] = []
        @Option(name: .long, help: "Random seed (split, shuffles).")
        var seed: UInt64 = 12345
        @Option(name: .long, help: "SVM cost C.")
        var cost: Float = 1.0
        @Option(name: .long, help: "The category tree (CSV: level1,level2,level3) whose level-2 and level-3 names the model uses as a feature block; the terms go into the model file.")
        var taxonomy: String?
        @Option(name: .long, help: "Weight of the taxonomy block (with --taxonomy; default 2).")
        var taxonomyWeight: Float?

        func validate() throws {
            guard cost > 0 else { throw ValidationError("--cost must be positive (got \(cost))") }
            if let taxonomyWeight {
                guard taxonomyWeight > 0 else { throw ValidationError("--taxonomy-weight must be positive (got \(taxonomyWeight))") }
                guard taxonomy != nil else { throw ValidationError("--taxonomy-weight needs --taxonomy") }
            }
        }

        func run() throws {
            try DataFile.checkWritable(URL(fileURLWithPath: out))
            try DataFile.checkDistinct(URL(fileURLWithPath: out),
                                       from: (data + labelThroughTwins + [holdoutIds, holdoutData, taxonomy].compactMap { $0 })
                                           .map { URL(fileURLWithPath: $0) }, option: "--out")
            let columns = ClassifierCommand.columns(textColumns)
            var examples: [LabeledText] = []
            for path in data {
                let rows = try TextDataset.load(URL(fileURLWithPath: path), textColumns: columns, labelColumn: labelColumn)
                let labelled = rows.filter { !$0.label.isEmpty }
                examples += labelled
                print("read \(rows.count) rows from \(path)")
                if labelled.count < rows.count {
                    FileHandle.standardError.write(Data(("warning: \(rows.count - labelled.count) rows of \(path) have "
                        + "an empty \(labelColumn) and are left out\n").utf8))
                }
            }
            var provenance: [String: String] = [:]
            var heldOut: HoldoutMatcher?
            if let holdoutIds {
                let ids = Set(try TextDataset.loadIDs(URL(fileURLWithPath: holdoutIds)))
                guard let source = holdoutData ?? data.last else { throw ValidationError("--holdout-data is required") }
                let held = try TextDataset.load(URL(fileURLWithPath: source), textColumns: columns, labelColumn: nil)
                    .filter { ids.contains($0.id) }
                let matcher = HoldoutMatcher(heldOut: held.map(\.text))
                let before = examples.count
                examples.removeAll { matcher.twin(of: $0.text) != nil }
                let removed = before - examples.count
                print("held out \(held.count) messages; removed \(removed) training rows matching them")
                provenance["heldOut"] = "\(held.count) messages from \(URL(fileURLWithPath: source).lastPathComponent); \(removed) matching rows removed"
                heldOut = matcher
            }
            // Labelled through the --data rows left after the hold-out, so no held-out message lends its label.
            var twinLabelled: [LabeledText] = []
            var twinSources: [String] = []
            for path in labelThroughTwins {
                let rows = try TextDataset.load(URL(fileURLWithPath: path), textColumns: columns, labelColumn: nil)
                let outcome = TwinLabeler().label(rows, through: examples)
                let kept = outcome.labelled.filter { heldOut?.twin(of: $0.text) == nil }
                twinLabelled += kept
                let name = URL(fileURLWithPath: path).lastPathComponent
                print("labelled \(outcome.labelled.count) of \(rows.count) messages of \(path) through their twins "
                      + "(\(outcome.conflicting) with twins of different labels left out, "
                      + "\(outcome.labelled.count - kept.count) matching held-out messages removed)")
                twinSources.append("\(kept.count) messages of \(name)")
            }
            if !twinSources.isEmpty { provenance["labelledThroughTwins"] = twinSources.joined(separator: "; ") }
            examples += twinLabelled
            var options = ClassifierTrainer.Options()
            // Counted as training counts them: one example per distinct normalised text.
            let distinct = ClassifierTrainer(options: options).distinctExamples(examples)
            let labels = Set(distinct.map(\.label))
            guard labels.count >= 2 else {
                throw CommandFailure("training needs labelled examples of at least two categories; found \(examples.count) "
                                      + "examples (distinct texts: \(distinct.count)) of \(labels.count) "
                                      + "(--label-column \(labelColumn)); nothing written")
            }
            // A category with a handful of examples trains, but its scores mean little: say so.
            let perLabel = Dictionary(grouping: distinct, by: \.label).mapValues(\.count)
            let thin = perLabel.filter { $0.value < ClassifierCommand.fewExamples }.sorted { $0.key < $1.key }
            if !thin.isEmpty {
                FileHandle.standardError.write(Data(("warning: fewer than \(ClassifierCommand.fewExamples) distinct "
                    + "examples of \(thin.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")); the model "
                    + "will be unreliable for them\n").utf8))
            }
            options.seed = seed
            options.cost = cost
            if let taxonomy {
                let tree = try SubcategoryResolver.Taxonomy(contentsOf: URL(fileURLWithPath: taxonomy))
                let level1 = Set(tree.rows.map(\.0))
                let missing = labels.sorted().filter { !level1.contains($0) }
                guard missing.count < labels.count else {
                    throw CommandFailure("none of the \(labels.count) categories is a level1 of \(taxonomy); nothing written")
                }
                if !missing.isEmpty {
                    FileHandle.standardError.write(Data("warning: not in \(taxonomy), so without taxonomy terms: \(missing.joined(separator: ", "))\n".utf8))
                }
                options.taxonomyRows = tree.rows
                options.features.taxonomyWeight = taxonomyWeight ?? 2
                provenance["taxonomy"] = URL(fileURLWithPath: taxonomy).lastPathComponent
            }
            let started = Date()
            let (model, report) = ClassifierTrainer(options: options).train(examples, provenance: provenance) { stage in
                let elapsed = String(format: "%5.1f s", Date().timeIntervalSince(started))
                fflush(nil) // what was printed to stdout before comes first
                FileHandle.standardError.write(Data("[\(elapsed)] \(stage)\n".utf8))
            }
            let bytes = try model.encoded()
            try DataFile.write(bytes, to: URL(fileURLWithPath: out))
            print("trained on \(report.examples) examples (\(report.duplicatesDropped) duplicates dropped), "
                  + "\(report.dictionaryWords) dictionary words, temperature \(report.temperature), "
                  + "validation accuracy \(String(format: "%.4f", report.validationAccuracy))")
            print("wrote \(out) (\(bytes.count) bytes) in \(String(format: "%.1f", report.seconds)) s")
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per-class precision, recall, F1, macro-F1, the confusion matrix and the confidence thresholds' coverage and accuracy on labelled data.")

        @Option(name: .long, help: "A labelled CSV file.")
        var data: String
        @Option(name: .long, help: "Text columns, comma-separated (default: title,detail or text; Chinese headers such as 留言主题,留言详情 are found too).")
        var textColumns: [String] = []
        @Option(name: .long, help: "The label column (category also finds 一级标签, 一级分类, label).")
        var labelColumn: String = "category"
        @Option(name: .long, help: "Model file (default: MINHU_CLASSIFIER_MODEL or the shipped model).")
        var model: String?
        @Option(name: .long, help: "Only the rows whose id (first column) is listed in this file.")
        var ids: String?
        @Option(name: .long, help: "Resamples for the 95 % bootstrap interval of macro-F1 (0: none).")
        var bootstrap: Int = 1000

        func validate() throws {
            guard bootstrap == 0 || bootstrap >= 100 else {
                throw ValidationError("--bootstrap is 0 (none) or at least 100 resamples (got \(bootstrap))")
            }
        }

        func run() throws {
            let classifier = try ClassifierCommand.loadModel(model)
            var rows = try TextDataset.load(URL(fileURLWithPath: data), textColumns: ClassifierCommand.columns(textColumns),
                                            labelColumn: labelColumn)
            if let ids {
                let keep = Set(try TextDataset.loadIDs(URL(fileURLWithPath: ids)))
                rows = rows.filter { keep.contains($0.id) }
            }
            guard !rows.isEmpty else {
                throw CommandFailure(ids == nil ? "\(data) has no rows to evaluate" : "none of the ids in \(ids!) is in \(data)")
            }
            // Rows without a label, or with one the model cannot give, are out of every figure, and said so.
            let known = Set(classifier.labels)
            let outside = Dictionary(grouping: rows.filter { !known.contains($0.label) }, by: \.label)
            if !outside.isEmpty {
                let listed = outside.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(10)
                    .map { "\($0.key.isEmpty ? "(no label)" : $0.key) ×\($0.value.count)" }.joined(separator: ", ")
                FileHandle.standardError.write(Data(("warning: \(outside.values.map(\.count).reduce(0, +)) of \(rows.count) rows "
                    + "are left out, their --label-column \(labelColumn) is none of the model's \(known.count) labels: "
                    + "\(listed)\(outside.count > 10 ? ", …" : "")\n").utf8))
                rows.removeAll { !known.contains($0.label) }
                guard !rows.isEmpty else {
                    throw CommandFailure("no row of \(data) carries one of the model's labels (\(classifier.labels.joined(separator: ", "))); "
                                          + "is --label-column \(labelColumn) the first-level category?")
                }
            }
            let results = rows.map { classifier.classify($0.text) }
            let metrics = ClassificationMetrics(truth: rows.map(\.label), predicted: results.map(\.category),
                                                labels: classifier.labels)
            print(metrics.report())
            if bootstrap > 0 {
                let interval = BootstrapInterval(truth: rows.map(\.label), predicted: results.map(\.category),
                                                 labels: classifier.labels, samples: bootstrap)
                print(String(format: "macro-F1 %.4f, 95 %% bootstrap interval %.4f-%.4f (%d resamples of the %d "
                             + "rows)\n", metrics.macroF1, interval.low, interval.high, bootstrap, rows.count))
            }
            let coverage = ConfidenceCoverage(confidences: results.map(\.confidence),
                                              correct: zip(rows, results).map { $0.label == $1.category })
            print("confidence thresholds (MINHU_DISPATCH_MIN_CONFIDENCE: below it, the manual desk)")
            print(coverage.report(), terminator: "")
        }
    }

    struct Classify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify every row of a CSV file; writes id,category,confidence.")

        @Option(name: .long, help: "The input CSV file (id in the first column).")
        var input: String
        @Option(name: .long, help: "Text columns, comma-separated (default: title,detail or text; Chinese headers such as 留言主题,留言详情 are found too).")
        var textColumns: [String] = []
        @Option(name: .long, help: "The output CSV file (- for standard output).")
        var output: String
        @Option(name: .long, help: "Model file (default: MINHU_CLASSIFIER_MODEL or the shipped model).")
        var model: String?

        func run() throws {
            let toStandardOutput = output == "-"
            if !toStandardOutput {
                try DataFile.checkWritable(URL(fileURLWithPath: output))
                try DataFile.checkDistinct(URL(fileURLWithPath: output), from: [URL(fileURLWithPath: input)],
                                           option: "--output")
            }
            let classifier = try ClassifierCommand.loadModel(model)
            let rows = try TextDataset.load(URL(fileURLWithPath: input), textColumns: ClassifierCommand.columns(textColumns),
                                            labelColumn: nil)
            var out = "id,category,confidence\n"
            for row in rows {
                let c = classifier.classify(row.text)
                out += CSVTable.escape(row.id) + "," + CSVTable.escape(c.category) + "," + String(format: "%.4f", c.confidence) + "\n"
            }
            if toStandardOutput {
                // The CSV alone on standard output; the summary goes to standard error.
                print(out, terminator: "")
                guard fflush(nil) == 0 else {
                    throw CommandFailure("cannot write the output: \(String(cString: strerror(errno)))")
                }
                FileHandle.standardError.write(Data("classified \(rows.count) rows\n".utf8))
            } else {
                try DataFile.write(out, to: URL(fileURLWithPath: output))
                print("classified \(rows.count) rows into \(output)")
            }
        }
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose a stratified held-out set of ids from a labelled CSV file.")

        @Option(name: .long, help: "A labelled CSV file.")
        var data: String
        @Option(name: .long, help: "The label column (category also finds 一级标签, 一级分类, label).")
        var labelColumn: String = "category"
        @Option(name: .long, help: "Share of each class to hold out.")
        var fraction: Double = 0.5
        @Option(name: .long, help: "Random seed.")
        var seed: UInt64 = 42
        @Option(name: .long, help: "Where to write the id list.")
        var out: String

        func validate() throws {
            guard fraction > 0 && fraction < 1 else { throw ValidationError("--fraction must be between 0 and 1 (got \(fraction))") }
        }

        func run() throws {
            try DataFile.checkWritable(URL(fileURLWithPath: out))
            try DataFile.checkDistinct(URL(fileURLWithPath: out), from: [URL(fileURLWithPath: data)], option: "--out")
            let all = try TextDataset.load(URL(fileURLWithPath: data), textColumns: nil, labelColumn: labelColumn)
            // Rows without a label are no class (as `evaluate` and `train` leave them out).
            let rows = all.filter { !$0.label.isEmpty }
            if rows.count < all.count {
                FileHandle.standardError.write(Data(("warning: \(all.count - rows.count) rows of \(data) have an "
                    + "empty \(labelColumn) and are left out\n").utf8))
            }
            var rng = SplitMix64(seed: seed)
            var chosen: [String] = []
            for label in Set(rows.map(\.label)).sorted() {
                var ids = rows.filter { $0.label == label }.map(\.id)
                rng.shuffle(&ids)
                chosen += ids.prefix(Int((Double(ids.count) * fraction).rounded()))
            }
            guard !chosen.isEmpty, chosen.count < rows.count else {
                throw CommandFailure("--fraction \(fraction) holds out \(chosen.isEmpty ? "no row" : "every row") of the "
                                      + "\(rows.count) in \(data) (each class's share is rounded); nothing written")
            }
            chosen.sort { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
            let name = URL(fileURLWithPath: data).lastPathComponent
            var text = "# Held-out messages: ids (first column) of \(name), stratified by \(labelColumn),\n"
            text += "# fraction \(fraction), seed \(seed) (`minhu classifier split`). "
                + "Train with --holdout-ids on this\n"
            text += "# file so that the model never sees them nor their twins (see docs/classifier.md).\n"
            text += chosen.joined(separator: "\n") + "\n"
            try DataFile.write(text, to: URL(fileURLWithPath: out))
            print("wrote \(chosen.count) ids to \(out)")
        }
    }
}
