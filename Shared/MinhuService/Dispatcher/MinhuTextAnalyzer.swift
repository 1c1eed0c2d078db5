import Foundation
import Logging
import MinhuModels
import MinhuStorage
import MinhuText

/// The shipped text models behind the dispatcher's analyzer seam.
public struct MinhuTextAnalyzer: AppealTextAnalyzer {
    let classifier: TextClassifier
    let subcategories: SubcategoryResolver
    let rules: AppealRules
    let places: PlaceRecognizer

    /// Loads the classifier (`MINHU_CLASSIFIER_MODEL` or the shipped one), the subcategory rules
    /// (`MINHU_SUBCATEGORIES_FILE`, checked against `MINHU_TAXONOMY_FILE` or the taxonomy shipped with the
    /// migrations), the rules and the gazetteer once.
    /// A rule pattern abandoned after its time limit is logged at warning (the rules file needs fixing); the logger
    /// is made when that happens, after the service has set up logging.
    public static func load(environment: [String: String]) throws -> MinhuTextAnalyzer {
        let taxonomyFile = try environment["MINHU_TAXONOMY_FILE"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? ReferenceDataLoader.bundledTaxonomyFile()
        let taxonomy = try SubcategoryResolver.Taxonomy(contentsOf: taxonomyFile)
        return MinhuTextAnalyzer(classifier: try ShippedModel.loadClassifier(environment: environment),
                          subcategories: try SubcategoryResolver.loadShipped(environment: environment, taxonomy: taxonomy),
                          rules: try AppealRules.loadShipped(environment: environment) { pattern in
                              Logger(label: "dispatcher").warning(
                                  "rule pattern abandoned after its time limit; it counts as not matching",
                                             metadata: ["rules.pattern": "\(pattern)",
                                                        "limit.seconds": "\(AppealRules.defaultPatternTimeLimit)"])
                          },
                          places: try PlaceRecognizer.loadShipped(environment: environment))
    }

    public func classify(title: String, detail: String) -> (category: String, confidence: Double) {
        let result = classifier.classify(title: title, detail: detail)
        return (result.category, result.confidence)
    }

    public func subcategory(level1: String, title: String, detail: String) -> (level2: String?, level3: String?) {
        subcategories.resolve(level1: level1, title: title, detail: detail)
    }

    public func kind(title: String, detail: String) -> AppealKind {
        AppealKind(rawValue: rules.kind(title: title, detail: detail)) ?? .complaint
    }

    public func urgency(title: String, detail: String) -> Urgency {
        Urgency(rawValue: rules.urgency(title: title, detail: detail)) ?? .normal
    }

    public func tier(category: String?, kind: AppealKind, channel: String?, urgency: Urgency, title: String,
              detail: String) -> HandlingTier {
        HandlingTier(rawValue: rules.tier(category: category, kind: kind.rawValue, channel: channel,
                                          urgency: urgency.rawValue, title: title, detail: detail)) ?? .deadline
    }

    public func place(in text: String) -> Place {
        let found = places.recognize(text)
        return Place(district: found.district, street: found.street, community: found.community,
                     road: found.estate ?? found.road)
    }

    public func makeClusterIndex(window: TimeInterval) -> any DispatcherClusterIndexing {
        var options = SimilarityIndex.Options()
        options.window = window
        return CityAwareClusterIndex(index: SimilarityIndex(options: options), places: places)
    }
}
