import Foundation
import MinhuModels

/// Why intake refuses a submission: the field at fault (JSON name, e.g. `citizen.phone`; nil for the whole body)
/// and a short English reason. Becomes a problem+json body (HTTP), an Open311 error, or a dead letter's reason.
public struct IntakeRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String?
    public var reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// The refusal for a decoding failure, naming the field MinhuJSON found.
    public init(decoding error: any Error) {
        reason = MinhuJSON.describe(error)
        if let decoding = error as? DecodingError {
            switch decoding {
            case let .keyNotFound(key, context):
                field = MinhuJSON.fieldPath(context.codingPath + [key])
            case let .valueNotFound(_, context), let .typeMismatch(_, context), let .dataCorrupted(context):
                field = context.codingPath.isEmpty ? nil : MinhuJSON.fieldPath(context.codingPath)
            @unknown default:
                field = nil
            }
        } else {
            field = nil
        }
    }

    public var description: String { field.map { "\($0): \(reason)" } ?? reason }
}
