import Foundation
import Logging
import MinhuModels
import MinhuStorage
import PostgresNIO

/// The services (categories) a citizen may choose in Open311: the active rows of `categories`, the taxonomy
/// `minhu migrate` loads. service_code is the category id, service_name its most specific level.
public struct Open311Service: Sendable, Hashable {
    public var code: Int
    public var level1: String
    public var level2: String?
    public var level3: String?

    public init(code: Int, level1: String, level2: String? = nil, level3: String? = nil) {
        self.code = code
        self.level1 = level1
        self.level2 = level2
        self.level3 = level3
    }

    public var levels: [String] { [level1, level2, level3].compactMap { $0 } }
    public var name: String { level3 ?? level2 ?? level1 }
    public var path: String { levels.joined(separator: "/") }

    /// An entry of `services.(json|xml)`.
    public var node: Open311Node {
        .object([
            .init("service_code", .string(String(code))),
            .init("service_name", .string(name)),
            .init("description", .string(path)),
            .init("metadata", .bool(true)),
            .init("type", .string("realtime")),
            .init("keywords", .string(levels.joined(separator: ","))),
            .init("group", .string(level1)),
        ])
    }

    /// `services/{code}.(json|xml)`: the attributes an Open311 request may carry (`attribute[code]`).
    public var definition: Open311Node {
        func value(_ key: String, _ name: String) -> Open311Node {
            .object([.init("key", .string(key)), .init("name", .string(name))])
        }
        func attribute(_ code: String, datatype: String, required: Bool, description: String, order: Int,
                       values: [Open311Node]) -> Open311Node {
            var fields: [Open311Node.Field] = [
                .init("variable", .bool(true)),
                .init("code", .string(code)),
                .init("datatype", .string(datatype)),
                .init("required", .bool(required)),
                .init("datatype_description", .string(description)),
                .init("order", .integer(order)),
                .init("description", .string(description)),
            ]
            if !values.isEmpty { fields.append(.init("values", .list(element: "value", values))) }
            return .object(fields)
        }
        let kinds = AppealKind.allCases.map { value($0.rawValue, $0.chineseName) }
        return .object([
            .init("service_code", .string(String(code))),
            .init("attributes", .list(element: "attribute", [
                attribute("kind", datatype: "singlevaluelist", required: false,
                          description: "诉求类型：咨询、求助、投诉、举报或建议", order: 1, values: kinds),
                attribute("anonymous", datatype: "singlevaluelist", required: false,
                          description: "是否匿名（匿名时不向承办单位显示姓名）", order: 2,
                          values: [value("true", "是"), value("false", "否")]),
                attribute("title", datatype: "string", required: false,
                          description: "标题（不填时取诉求内容的前20个字）", order: 3, values: []),
            ])),
        ])
    }

    /// Every active category, by id.
    public static func all(database: MinhuDatabase, logger: Logger) async throws -> [Open311Service] {
        try await database.withConnection { connection -> [Open311Service] in
            let rows = try await connection.guardedQuery("""
                SELECT id, level1, level2, level3 FROM categories WHERE active ORDER BY id
                """, logger: logger)
            var services: [Open311Service] = []
            for try await (id, level1, level2, level3) in rows.decode((Int, String, String?, String?).self) {
                services.append(Open311Service(code: id, level1: level1, level2: level2, level3: level3))
            }
            return services
        }
    }

    /// The active category whose id is `code`, or nil (unknown, inactive, or not a number).
    public static func find(code: String, on connection: PostgresConnection,
                            logger: Logger) async throws -> Open311Service? {
        guard let id = Int32(code.trimmingCharacters(in: .whitespaces)) else { return nil }
        let number = Int(id)
        let rows = try await connection.guardedQuery("""
            SELECT id, level1, level2, level3 FROM categories WHERE active AND id = \(number)
            """, logger: logger)
        for try await (id, level1, level2, level3) in rows.decode((Int, String, String?, String?).self) {
            return Open311Service(code: id, level1: level1, level2: level2, level3: level3)
        }
        return nil
    }
}
