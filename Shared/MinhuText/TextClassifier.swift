import Foundation

/// The result of classifying one appeal.
public struct Classification: Sendable, Equatable {
    /// The most probable first-level category, e.g. "城乡建设".
    public var category: String
    /// Calibrated probability of `category` (softmax of the class scores with a fitted temperature).
    public var confidence: Double
    /// Every class's probability, in the model's label order.
    public var probabilities: [Double]
}

/// A trained linear classifier for appeal categories, read from a compact binary `.mhc` file.
///
/// ```swift
/// let model = try TextClassifier(contentsOf: ShippedModel.locate()!)
/// let result = model.classify("小区门口的路灯坏了一个月没人修")
/// print(result.category, result.confidence)
/// ```
///
/// File layout (little-endian): `"MHC1"`, UInt32 header length, the JSON header (`ModelHeader`), zero padding
/// to 8 bytes, then the dictionary (UInt64 × `dictionaryCount`), the IDF table (UInt16 × dimension, times
/// `idfScale`) and the weights (Int16 × features × classes, feature-major, times each class's scale; features is
/// the dimension, plus one per class when the model has a taxonomy block).
public struct TextClassifier: Sendable {
    /// The JSON header of a model file.
    public struct ModelHeader: Codable, Sendable, Equatable {
        public var formatVersion: Int = 1
        public var labels: [String]
        public var features: FeatureConfig
        public var temperature: Double
        public var idfScale: Float
        public var classScales: [Float]
        public var biases: [Float]
        public var dictionaryCount: Int
        /// Free-form provenance: seed, C, row counts, held-out policy.
        public var provenance: [String: String]
        /// Evidence gate: the softmax probability is multiplied by σ(slope × (max score − center)), so a text
        /// no class's SVM claims (every score negative: off-topic, foreign, empty) gets a low confidence.
        public var evidenceCenter: Double?
        public var evidenceSlope: Double?
        /// The category tree's terms of each label (`TaxonomyPrior`), when `features.taxonomyWeight` is set.
        public var taxonomyTerms: [[String]]?
    }

    public let header: ModelHeader
    public var labels: [String] { header.labels }
    let extractor: FeatureExtractor
    let idf: [UInt16]
    let weights: [Int16]

    static let magic: [UInt8] = Array("MHC1".utf8)

    /// Loads a model file with one read.
    public init(contentsOf url: URL) throws {
        let data = try DataFile.read(url, mapped: true)
        do { try self.init(data: data) } catch let error as ModelError { throw DataFileError.invalid(url.path, "\(error)") }
    }

    /// Decodes a model from its bytes.
    public init(data: Data) throws {
        guard data.count >= 8, Array(data.prefix(4)) == Self.magic else { throw ModelError.badFormat("bad magic") }
        let headerLength = Int(Self.readUInt32(data, at: 4))
        guard data.count >= 8 + headerLength else { throw ModelError.badFormat("truncated header") }
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(
                ModelHeader.self, from: data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + headerLength)))
        } catch {
            throw ModelError.badFormat("damaged header (not the JSON a model's header holds)")
        }
        guard header.formatVersion == 1 else { throw ModelError.badFormat("unsupported version \(header.formatVersion)") }
        let classes = header.labels.count
        let dim = header.features.dimension
        guard classes >= 2, header.classScales.count == classes, header.biases.count == classes,
              (10...24).contains(header.features.dimensionBits) else { throw ModelError.badFormat("inconsistent header") }
        // Feature settings out of range would trap (maxN 0 is the range 1...0) or allocate without bound at the first
        // text, not here: refused with the model, so a service stops at start with this error.
        let f = header.features
        guard (1...8).contains(f.maxN), (0...1_000).contains(f.headLength), (1...100_000).contains(f.maxChars),
              (1...32).contains(f.wordMinLength), (f.wordMinLength...32).contains(f.wordMaxLength),
              (0...(data.count / 8)).contains(header.dictionaryCount) else {
            throw ModelError.badFormat("feature settings out of range (maxN, headLength, maxChars, word lengths or "
                                       + "dictionary count)")
        }
        var taxonomy: TaxonomyPrior?
        if header.features.taxonomyWeight != nil {
            guard let terms = header.taxonomyTerms, terms.count == classes else {
                throw ModelError.badFormat("taxonomy weight without one term list per label")
            }
            taxonomy = TaxonomyPrior(termsByClass: terms)
        }
        let features = dim + (taxonomy == nil ? 0 : classes)
        var offset = (8 + headerLength + 7) & ~7
        let need = offset + header.dictionaryCount * 8 + dim * 2 + features * classes * 2
        guard data.count == need else { throw ModelError.badFormat("size \(data.count), expected \(need)") }
        let dict: [UInt64] = Self.readArray(data, at: offset, count: header.dictionaryCount)
        offset += header.dictionaryCount * 8
        idf = Self.readArray(data, at: offset, count: dim)
        offset += dim * 2
        weights = Self.readArray(data, at: offset, count: features * classes)
        dictionaryHashes = dict
        self.header = header
        extractor = FeatureExtractor(config: header.features, dictionaryHashes: dict, taxonomy: taxonomy)
    }

    init(header: ModelHeader, dictionary: [UInt64], idf: [UInt16], weights: [Int16]) {
        self.header = header
        self.idf = idf
        self.weights = weights
        extractor = FeatureExtractor(config: header.features, dictionaryHashes: dictionary,
                                     taxonomy: header.taxonomyTerms.map { TaxonomyPrior(termsByClass: $0) })
        dictionaryHashes = dictionary
    }

    let dictionaryHashes: [UInt64]

    /// Classifies one text (title and detail may simply be joined with a space).
    public func classify(_ text: some StringProtocol) -> Classification {
        let scores = self.scores(text)
        var c = Self.calibrate(scores: scores, temperature: header.temperature, labels: labels)
        let top = Double(scores.max() ?? 0)
        let gate = 1 / (1 + exp(-(header.evidenceSlope ?? 6) * (top - (header.evidenceCenter ?? -0.3))))
        c.confidence *= gate
        return c
    }

    /// Classifies an appeal given its title and detail.
    public func classify(title: String, detail: String) -> Classification {
        classify(title + " " + detail)
    }

    /// The raw linear scores, one per label.
    public func scores(_ text: some StringProtocol) -> [Float] {
        let v = vector(text)
        let classes = labels.count
        var acc = [Float](repeating: 0, count: classes)
        weights.withUnsafeBufferPointer { w in
            for (j, x) in zip(v.indices, v.values) {
                let base = Int(j) * classes
                for k in 0..<classes { acc[k] += x * Float(w[base + k]) }
            }
        }
        for k in 0..<classes { acc[k] = acc[k] * header.classScales[k] + header.biases[k] }
        return acc
    }

    /// The weighted feature vector of a text.
    public func vector(_ text: some StringProtocol) -> SparseVector {
        let scale = header.idfScale
        return idf.withUnsafeBufferPointer { table in
            extractor.vector(extractor.counts(text)) { Float(table[Int($0)]) * scale }
        }
    }

    /// Softmax of scores / temperature.
    static func calibrate(scores: [Float], temperature: Double, labels: [String]) -> Classification {
        let t = max(temperature, 1e-6)
        let m = scores.max() ?? 0
        var p = scores.map { exp(Double($0 - m) / t) }
        let z = p.reduce(0, +)
        p = p.map { $0 / z }
        var best = 0
        for k in 1..<p.count where p[k] > p[best] { best = k }
        return Classification(category: labels[best], confidence: p[best], probabilities: p)
    }

    /// Serialises the model; the same model gives the same bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(Self.magic)
        var len = UInt32(json.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(json)
        while data.count % 8 != 0 { data.append(0) }
        dictionaryHashes.withUnsafeBytes { data.append(contentsOf: $0) }
        idf.withUnsafeBytes { data.append(contentsOf: $0) }
        weights.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    static func readUInt32(_ data: Data, at offset: Int) -> UInt32 {
        var v: UInt32 = 0
        withUnsafeMutableBytes(of: &v) { dst in
            data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: (data.startIndex + offset)..<(data.startIndex + offset + 4))
        }
        return UInt32(littleEndian: v)
    }

    static func readArray<T: FixedWidthInteger>(_ data: Data, at offset: Int, count: Int) -> [T] {
        var out = [T](repeating: 0, count: count)
        out.withUnsafeMutableBytes { dst in
            data.copyBytes(to: dst.bindMemory(to: UInt8.self),
                               from: (data.startIndex + offset)..<(data.startIndex + offset + count * MemoryLayout<T>.size))
        }
        return out
    }
}

/// Errors loading a model.
public enum ModelError: Error, CustomStringConvertible, Sendable {
    case badFormat(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .badFormat(let why): return "not a Minhu classifier model: \(why)"
        case .notFound(let what): return "classifier model not found: \(what)"
        }
    }
}
