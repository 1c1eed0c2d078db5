import Foundation

/// An Open311 answer as one tree that renders to both formats of GeoReport v2: JSON (objects and arrays) and XML
/// (an element per field, a wrapper element per list with one element per item, as in the spec's examples).
public indirect enum Open311Node: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null
    /// Fields in order; XML renders each as an element named by the field.
    case object([Field])
    /// Items; XML renders each as an element named `element` inside the list's own element.
    case list(element: String, [Open311Node])

    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: Open311Node

        public init(_ name: String, _ value: Open311Node) {
            self.name = name
            self.value = value
        }
    }

    public static func optional(_ value: String?) -> Open311Node { value.map(Open311Node.string) ?? .null }
    public static func optional(_ value: Double?) -> Open311Node {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    /// Compact JSON, UTF-8 characters kept as they are.
    public var json: String {
        var output = ""
        Self.writeJSON(self, to: &output)
        return output
    }

    /// A UTF-8 XML document whose root element is `root`.
    public func xml(root: String) -> String {
        var output = #"<?xml version="1.0" encoding="utf-8"?>"#
        Self.writeXML(self, name: root, to: &output)
        return output
    }

    private static func writeJSON(_ node: Open311Node, to output: inout String) {
        switch node {
        case .string(let value): output += jsonString(value)
        case .integer(let value): output += String(value)
        case .number(let value): output += value.isFinite ? numberText(value) : "null"
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .object(let fields):
            output += "{"
            for (index, field) in fields.enumerated() {
                if index > 0 { output += "," }
                output += jsonString(field.name) + ":"
                writeJSON(field.value, to: &output)
            }
            output += "}"
        case .list(_, let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                writeJSON(item, to: &output)
            }
            output += "]"
        }
    }

    private static func writeXML(_ node: Open311Node, name: String, to output: inout String) {
        switch node {
        case .null:
            output += "<\(name)/>"
            return
        case .string(let value): output += "<\(name)>" + xmlEscaped(value)
        case .integer(let value): output += "<\(name)>" + String(value)
        case .number(let value): output += "<\(name)>" + (value.isFinite ? numberText(value) : "")
        case .bool(let value): output += "<\(name)>" + (value ? "true" : "false")
        case .object(let fields):
            output += "<\(name)>"
            for field in fields { writeXML(field.value, name: field.name, to: &output) }
        case .list(let element, let items):
            output += "<\(name)>"
            for item in items { writeXML(item, name: element, to: &output) }
        }
        output += "</\(name)>"
    }

    static func numberText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func jsonString(_ value: String) -> String {
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// Text escaped for XML content and attribute values; characters XML 1.0 cannot carry (controls other than
    /// tab, LF and CR; U+FFFE, U+FFFF) are dropped.
    static func xmlEscaped(_ value: String) -> String {
        var output = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\t", "\n": output.unicodeScalars.append(scalar)
            case "\r": output += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
