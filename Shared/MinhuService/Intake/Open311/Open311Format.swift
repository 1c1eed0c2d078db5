import Foundation
import Hummingbird
import NIOCore

/// The format of an Open311 answer, named by the path's extension (`services.json`, `services.xml`).
public enum Open311Format: String, Sendable, CaseIterable {
    case json
    case xml

    /// Splits `name.ext` into the name and its format; nil when the extension is missing or not json/xml.
    public static func split(_ file: String) -> (name: String, format: Open311Format)? {
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex,
              let format = Open311Format(rawValue: file[file.index(after: dot)...].lowercased())
        else { return nil }
        return (String(file[..<dot]), format)
    }

    public var contentType: String {
        switch self {
        case .json: "application/json; charset=utf-8"
        case .xml: "text/xml; charset=utf-8"
        }
    }

    /// `node` rendered in this format (`root` names the XML document element), with `status`.
    func response(_ node: Open311Node, root: String, status: HTTPResponse.Status = .ok) -> Response {
        let text = self == .json ? node.json : node.xml(root: root)
        return Response(status: status, headers: [.contentType: contentType],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
