import Foundation
import MinhuModels
import MinhuText

/// What the dispatcher needs from the text module: the category classifier, the kind / urgency / tier rules,
/// place recognition and an incremental similarity index (docs/dispatcher.md, "Classification").
///
/// `MinhuTextAnalyzer` is the implementation backed by `MinhuText` (`TextClassifier`, `SubcategoryResolver`,
/// `AppealRules`, `PlaceRecognizer`, `SimilarityIndex`); tests can supply their own.
public protocol AppealTextAnalyzer: Sendable {
    /// The first-level category and the classifier's confidence (0…1).
    func classify(title: String, detail: String) -> (category: String, confidence: Double)
    /// Levels 2 and 3 of the category within `level1`, each nil when not clear.
    func subcategory(level1: String, title: String, detail: String) -> (level2: String?, level3: String?)
    /// The appeal kind the rules find when the channel did not say.
    func kind(title: String, detail: String) -> AppealKind
    /// The urgency the rules find.
    func urgency(title: String, detail: String) -> Urgency
    /// The handling tier; `channel` is `deputy` for a registered deputy's appeal.
    func tier(category: String?, kind: AppealKind, channel: String?, urgency: Urgency, title: String,
              detail: String) -> HandlingTier
    /// The place named in `text` (district, street, community; `road` holds the estate or road).
    func place(in text: String) -> Place
    /// A fresh similarity index keeping appeals of the last `window` seconds.
    func makeClusterIndex(window: TimeInterval) -> any DispatcherClusterIndexing
}

/// An incremental clustering of similar appeals (`CityAwareClusterIndex` wraps `MinhuText.SimilarityIndex`).
public protocol DispatcherClusterIndexing: Sendable {
    /// Adds an appeal (in time order) and returns the local number of the cluster it joined or started:
    /// the nearest (`.nearest`), the given local cluster (`.join`) or a new one (`.newCluster`).
    mutating func add(id: String, title: String, detail: String, time: Date, place: String?,
                      placement: SimilarityIndex.Placement) -> Int
    /// Appeals in the window.
    var windowCount: Int { get }
    /// Clusters ever started, including those whose members have all left the window.
    var clusterCount: Int { get }
}

extension Place {
    /// The most specific part, the token the similarity index compares.
    var clusterKey: String? { road ?? community ?? street ?? district }
}
