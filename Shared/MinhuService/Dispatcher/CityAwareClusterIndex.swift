import Foundation
import MinhuText

/// The dispatcher's similarity index: `SimilarityIndex`, with the cities each appeal names (`RegionCodes` and the
/// gazetteer's city) found from its title and detail excerpt, and the districts its title names, so that appeals
/// about different cities or districts never cluster. The index is rebuilt from the same title and excerpt
/// (`cluster_members`), so a restarted copy finds the same regions.
struct CityAwareClusterIndex: DispatcherClusterIndexing {
    var index: SimilarityIndex
    let places: PlaceRecognizer

    var windowCount: Int { index.windowCount }
    var clusterCount: Int { index.clusterCount }

    mutating func add(id: String, title: String, detail: String, time: Date, place: String?,
                      placement: SimilarityIndex.Placement) -> Int {
        let regions = places.recognize(title: title, detail: detail).regions
        return index.add(id: id, title: title, detail: detail, time: time, place: place, regions: regions,
                         placement: placement)
    }
}
