import Foundation

/// A labelled training text.
public struct LabeledText: Sendable {
    public var id: String
    public var text: String
    public var label: String
    public init(id: String, text: String, label: String) {
        self.id = id
        self.text = text
        self.label = label
    }
}

/// Trains a `TextClassifier`: one-vs-rest L2-regularised L2-loss linear SVMs solved by dual coordinate
/// descent (as LIBLINEAR), on hashed character n-gram, dictionary-word and head features with sublinear
/// TF-IDF; then a softmax temperature fitted on a stratified validation split. Deterministic: the same
/// examples and options give the same model bytes.
public struct ClassifierTrainer: Sendable {
    public struct Options: Sendable {
        public var seed: UInt64 = 12345
        /// SVM cost C.
        public var cost: Float = 1.0
        public var maxEpochs: Int = 200
        public var tolerance: Float = 0.1
        /// Share of the examples held back to fit the temperature.
        public var validationFraction: Double = 0.15
        /// Dictionary words are whitespace-separated Han tokens seen at least this often.
        public var minWordCount: Int = 2
        public var features = FeatureConfig()
        /// Category-tree rows (`level1, level2, level3`) for the taxonomy block; used when
        /// `features.taxonomyWeight` is set (docs/classifier.md, "Features").
        public var taxonomyRows: [(String, String, String)] = []
        public init() {}
    }

    /// What training saw and did.
    public struct Report: Sendable {
        public var examples: Int
        public var duplicatesDropped: Int
        public var dictionaryWords: Int
        public var temperature: Double
        public var validationAccuracy: Double
        public var seconds: Double
    }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    /// The examples training keeps: the first of each normalised text (texts with nothing to read are one text).
    /// A model needs at least two labels among them.
    public func distinctExamples(_ examples: [LabeledText]) -> [LabeledText] {
        var seen = Set<String>()
        return examples.filter { seen.insert(TextNormalizer.normalize($0.text, limit: options.features.maxChars)).inserted }
    }

    /// Trains on `examples` (duplicates by normalised text are dropped, the first kept); `progress` hears each
    /// stage (features, then each class of the validation and the final model) as it starts.
    public func train(_ examples: [LabeledText], provenance: [String: String] = [:],
                      progress: (String) -> Void = { _ in }) -> (TextClassifier, Report) {
        let start = Date()
        let docs = distinctExamples(examples)
        let labels = Array(Set(docs.map(\.label))).sorted()
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let y = docs.map { labelIndex[$0.label]! }

        // Dictionary: Han tokens of segmented texts.
        var tokenCounts: [UInt64: Int] = [:]
        for d in docs {
            for token in d.text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                let s = TextNormalizer.scalars(token)
                guard s.count >= options.features.wordMinLength, s.count <= options.features.wordMaxLength,
                      s.allSatisfy(TextNormalizer.isHan) else { continue }
                let h = s.withUnsafeBufferPointer { StableHash.hash($0, 0, $0.count, seed: FeatureExtractor.wordSeed) }
                tokenCounts[h, default: 0] += 1
            }
        }
        let dictionary = tokenCounts.filter { $0.value >= options.minWordCount }.keys.sorted()
        var taxonomyTerms: [[String]]?
        if options.features.taxonomyWeight != nil {
            taxonomyTerms = TaxonomyPrior.terms(rows: options.taxonomyRows, labels: labels)
        }
        let termCount = taxonomyTerms?.reduce(0) { $0 + $1.count } ?? 0
        progress("features of \(docs.count) examples (\(dictionary.count) dictionary words"
                 + (taxonomyTerms == nil ? ")" : ", \(termCount) taxonomy terms)"))
        let extractor = FeatureExtractor(config: options.features, dictionaryHashes: dictionary,
                                         taxonomy: taxonomyTerms.map { TaxonomyPrior(termsByClass: $0) })
        let dim = options.features.dimension
        let featureCount = extractor.featureCount

        // Counts, document frequencies, IDF (smooth: ln((1+n)/(1+df)) + 1), quantised.
        let counts = docs.map { extractor.counts($0.text) }
        var df = [Int32](repeating: 0, count: dim)
        for c in counts {
            var marked = Set<Int32>()
            for block in c.blocks { for (j, _) in block where j < dim && marked.insert(j).inserted { df[Int(j)] += 1 } }
        }
        let n = Double(docs.count)
        let idfReal = df.map { Float(log((1 + n) / (1 + Double($0))) + 1) }
        let idfMax = idfReal.max() ?? 1
        let idfScale = idfMax / 65535
        let idfQ = idfReal.map { UInt16(min(65535, max(0, ($0 / idfScale).rounded()))) }
        let vectors = counts.map { extractor.vector($0) { Float(idfQ[Int($0)]) * idfScale } }

        // Temperature on a stratified validation split.
        var rng = SplitMix64(seed: options.seed)
        var validation = Set<Int>()
        for k in 0..<labels.count {
            var members = (0..<docs.count).filter { y[$0] == k }
            rng.shuffle(&members)
            validation.formUnion(members.prefix(Int((Double(members.count) * options.validationFraction).rounded())))
        }
        let fitRows = (0..<docs.count).filter { !validation.contains($0) }
        let valRows = (0..<docs.count).filter { validation.contains($0) }
        let (wFit, bFit) = trainAll(vectors: vectors, y: y, rows: fitRows, classes: labels.count, dim: featureCount,
                                    rng: &rng) {
            progress("validation model (\(fitRows.count) examples): \(labels[$0]), class \($0 + 1) of \(labels.count)")
        }
        let valScores = valRows.map { i in Self.score(vectors[i], w: wFit, b: bFit, classes: labels.count) }
        let valY = valRows.map { y[$0] }
        let temperature = Self.fitTemperature(scores: valScores, y: valY)
        var correct = 0
        for (s, t) in zip(valScores, valY) where s.indices.max(by: { s[$0] < s[$1] }) == t { correct += 1 }

        // Final model on every example.
        let (w, b) = trainAll(vectors: vectors, y: y, rows: Array(0..<docs.count), classes: labels.count,
                              dim: featureCount, rng: &rng) {
            progress("final model (\(docs.count) examples): \(labels[$0]), class \($0 + 1) of \(labels.count)")
        }
        var scales = [Float](repeating: 1, count: labels.count)
        var wq = [Int16](repeating: 0, count: featureCount * labels.count)
        for k in 0..<labels.count {
            var m: Float = 0
            for j in 0..<featureCount { m = max(m, abs(w[j * labels.count + k])) }
            scales[k] = m > 0 ? m / 32767 : 1
            for j in 0..<featureCount { wq[j * labels.count + k] = Int16((w[j * labels.count + k] / scales[k]).rounded()) }
        }
        var prov = provenance
        prov["seed"] = String(options.seed)
        prov["cost"] = String(options.cost)
        prov["examples"] = String(docs.count)
        prov["method"] = "one-vs-rest L2-loss linear SVM (dual coordinate descent); char 1-3-grams + max-match words + head n-grams"
            + (taxonomyTerms == nil ? "" : " + taxonomy terms per class") + "; sublinear TF-IDF; softmax temperature"
        var header = TextClassifier.ModelHeader(
            labels: labels, features: options.features, temperature: temperature, idfScale: idfScale,
            classScales: scales, biases: b, dictionaryCount: dictionary.count, provenance: prov)
        header.taxonomyTerms = taxonomyTerms
        let model = TextClassifier(header: header, dictionary: dictionary, idf: idfQ, weights: wq)
        let report = Report(examples: docs.count, duplicatesDropped: examples.count - docs.count,
                            dictionaryWords: dictionary.count, temperature: temperature,
                            validationAccuracy: valRows.isEmpty ? 0 : Double(correct) / Double(valRows.count),
                            seconds: Date().timeIntervalSince(start))
        return (model, report)
    }

    static func score(_ v: SparseVector, w: [Float], b: [Float], classes: Int) -> [Float] {
        var acc = b
        for (j, x) in zip(v.indices, v.values) {
            let base = Int(j) * classes
            for k in 0..<classes { acc[k] += x * w[base + k] }
        }
        return acc
    }

    /// Trains every one-vs-rest SVM (`starting` hears each class index first); weights feature-major
    /// (dim × classes), then biases.
    func trainAll(vectors: [SparseVector], y: [Int], rows: [Int], classes: Int, dim: Int,
                  rng: inout SplitMix64, starting: (Int) -> Void = { _ in }) -> ([Float], [Float]) {
        var w = [Float](repeating: 0, count: dim * classes)
        var b = [Float](repeating: 0, count: classes)
        for k in 0..<classes {
            starting(k)
            let (wk, bk) = trainBinary(vectors: vectors, positive: rows.map { y[$0] == k }, rows: rows, dim: dim, rng: &rng)
            for j in 0..<dim where wk[j] != 0 { w[j * classes + k] = wk[j] }
            b[k] = bk
        }
        return (w, b)
    }

    /// Dual coordinate descent for the L2-loss SVM (Hsieh et al. 2008) with a bias feature of value 1.
    func trainBinary(vectors: [SparseVector], positive: [Bool], rows: [Int], dim: Int,
                     rng: inout SplitMix64) -> ([Float], Float) {
        let m = rows.count
        var w = [Float](repeating: 0, count: dim)
        var bias: Float = 0
        var alpha = [Float](repeating: 0, count: m)
        let diag = 1 / (2 * options.cost)
        var qd = [Float](repeating: 0, count: m)
        for (r, i) in rows.enumerated() {
            qd[r] = vectors[i].values.reduce(0) { $0 + $1 * $1 } + 1 + diag
        }
        var order = Array(0..<m)
        var active = m
        var pgMaxOld = Float.infinity
        var pgMinOld = -Float.infinity
        w.withUnsafeMutableBufferPointer { wp in
            for _ in 0..<options.maxEpochs {
                var pgMax = -Float.infinity
                var pgMin = Float.infinity
                for s in 0..<active {
                    let j = s + Int(rng.next() % UInt64(active - s))
                    order.swapAt(s, j)
                }
                var s = 0
                while s < active {
                    let r = order[s]
                    let v = vectors[rows[r]]
                    let yi: Float = positive[r] ? 1 : -1
                    var dot = bias
                    for (idx, x) in zip(v.indices, v.values) { dot += wp[Int(idx)] * x }
                    let g = yi * dot - 1 + diag * alpha[r]
                    var pg: Float = 0
                    if alpha[r] == 0 {
                        if g > pgMaxOld {
                            active -= 1
                            order.swapAt(s, active)
                            continue
                        }
                        if g < 0 { pg = g }
                    } else {
                        pg = g
                    }
                    pgMax = max(pgMax, pg)
                    pgMin = min(pgMin, pg)
                    if abs(pg) > 1e-12 {
                        let old = alpha[r]
                        alpha[r] = max(old - g / qd[r], 0)
                        let d = (alpha[r] - old) * yi
                        for (idx, x) in zip(v.indices, v.values) { wp[Int(idx)] += d * x }
                        bias += d
                    }
                    s += 1
                }
                if pgMax - pgMin <= options.tolerance {
                    if active == m { break }
                    active = m
                    pgMaxOld = .infinity
                    pgMinOld = -.infinity
                    continue
                }
                pgMaxOld = pgMax <= 0 ? .infinity : pgMax
                pgMinOld = pgMin >= 0 ? -.infinity : pgMin
            }
        }
        _ = pgMinOld
        return (w, bias)
    }

    /// The temperature minimising the validation negative log-likelihood (golden-section search on log T).
    static func fitTemperature(scores: [[Float]], y: [Int]) -> Double {
        guard !scores.isEmpty else { return 1 }
        func nll(_ t: Double) -> Double {
            var total = 0.0
            for (s, k) in zip(scores, y) {
                let m = Double(s.max()!)
                let z = s.reduce(0.0) { $0 + exp((Double($1) - m) / t) }
                total += -((Double(s[k]) - m) / t - log(z))
            }
            return total / Double(scores.count)
        }
        var lo = log(0.01), hi = log(10.0)
        let phi = (sqrt(5.0) - 1) / 2
        var a = hi - phi * (hi - lo), b = lo + phi * (hi - lo)
        var fa = nll(exp(a)), fb = nll(exp(b))
        for _ in 0..<60 {
            if fa < fb { hi = b; b = a; fb = fa; a = hi - phi * (hi - lo); fa = nll(exp(a)) } else {
                lo = a; a = b; fa = fb; b = lo + phi * (hi - lo); fb = nll(exp(b))
            }
        }
        return (exp((lo + hi) / 2) * 1e6).rounded() / 1e6
    }
}

/// A small, fast, seedable generator (SplitMix64), so training is reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Fisher–Yates with this generator (independent of the standard library's algorithm).
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            a.swapAt(i, j)
        }
    }
}
