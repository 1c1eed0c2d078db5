import Foundation
import Testing
@testable import MinhuModels

@Suite("Payloads")
struct PayloadTests {
    private func roundTrips<M: MinhuMessage>(_ value: M) throws -> Bool {
        try MinhuJSON.decode(M.self, from: MinhuJSON.encode(value)) == value
    }

    @Test("every example round-trips through JSON")
    func roundTrip() throws {
        let examples = try MessageExamples.all()
        #expect(examples.count == EventType.allCases.count + 15)
        for example in examples {
            #expect(try roundTrips(example.value), "\(example.schema)")
        }
    }

    @Test("every event type has a payload type and an example")
    func eventTypes() throws {
        #expect(EventType.allCases.count == 24)
        let examples = try MessageExamples.all()
        for type in EventType.allCases {
            #expect(type.payloadType.eventType == type)
            #expect(type.payloadType.messageType == type.rawValue)
            #expect(type.payloadType.schemaVersion == 1)
            #expect(examples.contains { $0.schema == type.schemaName && $0.route == .event(type) }, "\(type)")
        }
        #expect(EventType.appealAwaitingCitizen.schemaName == "event-appeal-awaiting-citizen")
    }

    @Test("schema names and message types are unique")
    func unique() throws {
        let examples = try MessageExamples.all()
        #expect(Set(examples.map(\.schema)).count == examples.count)
        #expect(Set(examples.map(\.messageType)).count == examples.count)
    }

    @Test("no event carries a full phone number")
    func eventsMasked() throws {
        for example in try MessageExamples.all() where example.route.exchange == MessageRoute.eventsExchange {
            let text = String(decoding: example.json, as: UTF8.self)
            #expect(!text.contains("13800138000"), "\(example.schema)")
        }
        let assignment = try #require(try MessageExamples.all().first { $0.schema == "dispatch-assignment" })
        #expect(String(decoding: assignment.json, as: UTF8.self).contains("13800138000"))
    }

    @Test("every lifecycle event carries appeal id, case number, round, attempt and time")
    func lifecycleFields() throws {
        for example in try MessageExamples.all() where example.route.exchange == MessageRoute.eventsExchange {
            let object = try #require(try JSONSerialization.jsonObject(with: example.json) as? [String: Any])
            #expect(object["occurred_at"] is String, "\(example.schema)")
            guard example.value is any LifecycleEventPayload else { continue }
            for key in ["appeal_id", "case_number", "round", "attempt"] {
                #expect(object[key] != nil, "\(example.schema) lacks \(key)")
            }
        }
    }

    @Test("a required field removed from any example is a decoding failure naming it")
    func missingRequired() throws {
        for example in try MessageExamples.all() {
            let schema = try SchemaFiles.load(example.schema)
            let object = try #require(try JSONSerialization.jsonObject(with: example.json) as? [String: Any])
            for field in schema.required {
                var broken = object
                broken.removeValue(forKey: field)
                let data = try JSONSerialization.data(withJSONObject: broken)
                do {
                    _ = try decodeAs(example.value, data)
                    Issue.record("\(example.schema) decoded without '\(field)'")
                } catch {
                    #expect(MinhuJSON.describe(error) == "missing required field '\(field)'", "\(example.schema)")
                }
            }
        }
    }

    private func decodeAs<M: MinhuMessage>(_ value: M, _ data: Data) throws -> M {
        try MinhuJSON.decode(M.self, from: data)
    }
}
