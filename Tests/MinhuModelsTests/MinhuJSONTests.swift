import Foundation
import Testing
@testable import MinhuModels

@Suite("MinhuJSON")
struct MinhuJSONTests {
    private func json(_ text: String) -> Data { Data(text.utf8) }

    private let validSigned = """
        {"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","case_number":"20250609-000123","round":1,
         "attempt":1,"occurred_at":"2025-06-09T02:30:00Z","handler":"张建国"}
        """

    @Test("encodes snake_case keys, sorted, with UTC millisecond dates and unescaped Chinese")
    func encoding() throws {
        let message = DepartmentSigned(appealId: UUID(uuidString: "3F2504E0-4F89-41D3-9A0C-0305E82C3301")!,
                                       caseNumber: "20250609-000123", round: 1, attempt: 1,
                                       occurredAt: Date(timeIntervalSince1970: 1_749_436_200.25), handler: "张建国")
        let text = String(decoding: try MinhuJSON.encode(message), as: UTF8.self)
        #expect(text == #"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","attempt":1,"#
            + #""case_number":"20250609-000123","handler":"张建国","occurred_at":"2025-06-09T02:30:00.250Z","round":1}"#)
    }

    @Test("accepts dates with or without fractions and with offsets", arguments: [
        ("2025-06-09T02:30:00Z", 1_749_436_200.0),
        ("2025-06-09T02:30:00.5Z", 1_749_436_200.5),
        ("2025-06-09T02:30:00.250Z", 1_749_436_200.25),
        ("2025-06-09T10:30:00+08:00", 1_749_436_200.0),
        ("2025-06-09T10:30:00.000+08:00", 1_749_436_200.0),
        // RFC 3339 allows these; Foundation alone refused the long fraction.
        ("2025-06-09t02:30:00z", 1_749_436_200.0),
        ("2025-06-09T02:30:00.1234567890123Z", 1_749_436_200.1234567),
        ("2024-02-29T02:30:00-01:30", 1_709_179_200.0),
    ])
    func dates(text: String, seconds: Double) throws {
        let date = try #require(MinhuJSON.parseDate(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test("a date decoded and encoded again is the same text, to the millisecond")
    func dateRoundTrip() throws {
        for step in 0..<3_000 {
            let text = MinhuJSON.formatDate(Date(timeIntervalSince1970: 1_795_000_000 + Double(step) * 0.001))
            let again = MinhuJSON.formatDate(try #require(MinhuJSON.parseDate(text)))
            #expect(again == text)
            if again != text { break }
        }
        #expect(MinhuJSON.formatDate(Date(timeIntervalSince1970: 1_749_436_200.0016)) == "2025-06-09T02:30:00.002Z")
        #expect(MinhuJSON.formatDate(Date(timeIntervalSince1970: 1_749_436_200.9996)) == "2025-06-09T02:30:01.000Z")
        #expect(MinhuJSON.formatDate(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
    }

    @Test("refuses what is not a date-time", arguments: [
        "2025-06-09", "yesterday", "2025-06-09 10:30:00", "",
        // Foundation alone took these: a day that does not exist, hour 24, offsets RFC 3339 does not write.
        "2025-02-30T10:00:00Z", "2023-02-29T10:00:00Z", "2025-06-09T24:00:00Z", "2025-06-09T10:30:00+0800",
        "2025-06-09T10:30:00+08", "2025-06-09T10:30:00GMT", "2025-06-09T10:30:00UTC", "2025-06-09T10:30:00.Z",
        "2025-06-09T10:30:00", "2025-06-09T10:30:00Z ", "2025-13-09T10:30:00Z", "2025-06-09T10:60:00Z",
    ])
    func badDates(text: String) {
        #expect(MinhuJSON.parseDate(text) == nil)
    }

    @Test("unknown fields are ignored")
    func unknownFields() throws {
        let body = json(#"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","case_number":"c","round":1,"#
            + #""attempt":1,"occurred_at":"2025-06-09T02:30:00Z","future_field":{"x":[1,2]},"priority":"high"}"#)
        let decoded = try MinhuJSON.decode(DepartmentSigned.self, from: body)
        #expect(decoded.caseNumber == "c")
        #expect(decoded.handler == nil)
    }

    @Test("optional arrays of integrators' messages may be omitted")
    func omittedArrays() throws {
        let body = json(#"{"case_number":"c","text":"补充","submitted_at":"2025-06-09T02:30:00Z"}"#)
        let supplement = try MinhuJSON.decode(IntakeSupplement.self, from: body)
        #expect(supplement.attachments.isEmpty)
        let citizen = try MinhuJSON.decode(Citizen.self, from: json(#"{"phone":"13800138000"}"#))
        #expect(citizen.anonymous == false)
    }

    @Test("decoding failures become short specific reasons", arguments: [
        (#"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","round":1,"attempt":1,"occurred_at":"2025-06-09T02:30:00Z"}"#,
         "missing required field 'case_number'"),
        (#"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","case_number":"c","round":"one","attempt":1,"occurred_at":"2025-06-09T02:30:00Z"}"#,
         "field 'round': expected integer"),
        (#"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","case_number":"c","round":1.5,"attempt":1,"occurred_at":"2025-06-09T02:30:00Z"}"#,
         "field 'round': expected integer"),
        (#"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","case_number":null,"round":1,"attempt":1,"occurred_at":"2025-06-09T02:30:00Z"}"#,
         "field 'case_number': must not be null"),
        (#"{"appeal_id":"not-a-uuid","case_number":"c","round":1,"attempt":1,"occurred_at":"2025-06-09T02:30:00Z"}"#,
         "field 'appeal_id': invalid UUID"),
        (#"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","case_number":"c","round":1,"attempt":1,"occurred_at":"9 June"}"#,
         "field 'occurred_at': invalid date-time '9 June'"),
        (#"{"appeal_id":"3F2504E0-4F89-41D3-9A0C-0305E82C3301","case_number":7,"round":1,"attempt":1,"occurred_at":"2025-06-09T02:30:00Z"}"#,
         "field 'case_number': expected string"),
        (#"{"appeal_id": "#, "body is not valid JSON"),
        (#"[1,2]"#, "body: expected object"),
    ])
    func reasons(body: String, reason: String) {
        do {
            _ = try MinhuJSON.decode(DepartmentSigned.self, from: json(body))
            Issue.record("decoded \(body)")
        } catch {
            #expect(MinhuJSON.describe(error) == reason)
        }
    }

    @Test("reasons name nested fields and enum values")
    func nestedReasons() throws {
        let examples = try MessageExamples.all()
        let intake = try #require(examples.first { $0.schema == "intake-appeal" })
        var object = try #require(try JSONSerialization.jsonObject(with: intake.json) as? [String: Any])
        var citizen = try #require(object["citizen"] as? [String: Any])
        citizen.removeValue(forKey: "phone")
        object["citizen"] = citizen
        object["kind"] = "gossip"
        func reason(_ object: [String: Any]) -> String {
            do {
                _ = try MinhuJSON.decode(IntakeAppeal.self, from: JSONSerialization.data(withJSONObject: object))
                return "decoded"
            } catch { return MinhuJSON.describe(error) }
        }
        #expect(reason(object) == "field 'kind': invalid value 'gossip'")
        object["kind"] = "help"
        #expect(reason(object) == "missing required field 'citizen.phone'")
        citizen["phone"] = "13800138000"
        object["citizen"] = citizen
        object["attachments"] = ["https://a.example/x.jpg", 5]
        #expect(reason(object) == "field 'attachments[1]': expected string")
        object["attachments"] = []
        object["location"] = ["district": "襄城区"]
        #expect(reason(object) == "missing required field 'location.address'")
        object.removeValue(forKey: "location")
        #expect(reason(object) == "decoded")

        let supplement = json(#"{"text":"补充","submitted_at":"2025-06-09T02:30:00Z"}"#)
        #expect(throws: DecodingError.self) { try MinhuJSON.decode(IntakeSupplement.self, from: supplement) }
        // The schema refuses these too (a null id is absent; an empty one names nothing).
        for ids in [#""external_id":null"#, #""external_id":"""#, #""case_number":"","external_id":"wx-1""#] {
            let body = json(#"{"# + ids + #","text":"补充","submitted_at":"2025-06-09T02:30:00Z"}"#)
            #expect(throws: DecodingError.self, "\(ids)") { try MinhuJSON.decode(IntakeSupplement.self, from: body) }
        }
        do { _ = try MinhuJSON.decode(IntakeSupplement.self, from: supplement) } catch {
            #expect(MinhuJSON.describe(error)
                == "missing required field: either 'external_id' or 'case_number' is required")
        }
    }

    @Test("snake_case keys match the encoder", arguments: [
        ("appealId", "appeal_id"), ("coDepartmentCodes", "co_department_codes"), ("level1", "level1"),
        ("round", "round"), ("memberAppealIds", "member_appeal_ids"), ("trackingUrl", "tracking_url"),
    ])
    func snakeCase(key: String, expected: String) {
        #expect(MinhuJSON.snakeCase(key) == expected)
    }

    @Test("other errors describe themselves")
    func otherErrors() {
        #expect(MinhuJSON.describe(MessageEnvelopeError.unknownEventType("appeal.teleported"))
            == "unknown event type 'appeal.teleported'")
    }

    @Test("the valid body decodes")
    func valid() throws {
        #expect(try MinhuJSON.decode(DepartmentSigned.self, from: json(validSigned)).handler == "张建国")
    }
}
