import Foundation
import Testing
@testable import MinhuModels

@Suite("Message envelopes")
struct MessageEnvelopeTests {
    private let at = Date(timeIntervalSince1970: 1_749_432_600)

    @Test("an event becomes a message for minhu.events with its properties")
    func eventMessage() throws {
        let event = AppealSigned(appealId: UUID(), caseNumber: "20250609-000123", round: 1, attempt: 1,
                                 occurredAt: at, departmentCode: "housing", handler: "张建国")
        let id = UUID()
        let message = try MessageEnvelope.event(event, producer: "minhu-dispatcher", at: at, messageID: id)
        #expect(message.messageID == id)
        #expect(message.exchange == "minhu.events")
        #expect(message.routingKey == "appeal.signed")
        #expect(message.type == "appeal.signed")
        #expect(message.correlationID == event.appealId.uuidString)
        #expect(message.appID == "minhu-dispatcher")
        #expect(message.userID == nil)
        #expect(message.schemaVersion == 1)
        #expect(message.timestamp == at)
        #expect(try MessageEnvelope.decode(AppealSigned.self, from: message.body, schemaVersion: 1) == event)
        let any = try MessageEnvelope.decodeEvent(type: message.type, from: message.body, schemaVersion: 1)
        #expect(any as? AppealSigned == event)
    }

    @Test("non-event messages take their route, type and user")
    func otherMessage() throws {
        let signed = DepartmentSigned(appealId: UUID(), caseNumber: "c", round: 1, attempt: 1, occurredAt: at)
        let message = try MessageEnvelope.message(signed, route: .department(code: "housing", action: .signed),
                                                  producer: "dept-housing", at: at,
                                                  correlationID: signed.appealId.uuidString, userID: "dept-housing")
        #expect(message.exchange == "minhu.department")
        #expect(message.routingKey == "housing.signed")
        #expect(message.type == "department.signed")
        #expect(message.userID == "dept-housing")
    }

    @Test("a newer schema version is refused with a reason")
    func newerVersion() throws {
        let body = try MinhuJSON.encode(DepartmentSigned(appealId: UUID(), caseNumber: "c", round: 1, attempt: 1,
                                                         occurredAt: at))
        #expect(throws: MessageEnvelopeError.unsupportedSchemaVersion(type: "department.signed", received: 2,
                                                                      supported: 1)) {
            try MessageEnvelope.decode(DepartmentSigned.self, from: body, schemaVersion: 2)
        }
        do { _ = try MessageEnvelope.decode(DepartmentSigned.self, from: body, schemaVersion: 2) } catch {
            #expect(MinhuJSON.describe(error)
                == "schema_version 2 of 'department.signed' is newer than supported version 1")
        }
        #expect(throws: MessageEnvelopeError.invalidSchemaVersion("0")) {
            try MessageEnvelope.decode(DepartmentSigned.self, from: body, schemaVersion: 0)
        }
        #expect(try MessageEnvelope.decode(DepartmentSigned.self, from: body, schemaVersion: nil).caseNumber == "c")
        #expect(throws: MessageEnvelopeError.unexpectedType(expected: "department.signed",
                                                            received: "department.replied")) {
            try MessageEnvelope.decode(DepartmentSigned.self, from: body, schemaVersion: 1,
                                       messageType: "department.replied")
        }
        #expect(try MessageEnvelope.schemaVersion(fromHeader: " 2 ") == 2)
        #expect(try MessageEnvelope.schemaVersion(fromHeader: nil) == nil)
        #expect(throws: MessageEnvelopeError.invalidSchemaVersion("v1")) {
            try MessageEnvelope.schemaVersion(fromHeader: "v1")
        }
        #expect(throws: MessageEnvelopeError.unknownEventType("appeal.lost")) {
            try MessageEnvelope.decodeEvent(type: "appeal.lost", from: body, schemaVersion: 1)
        }
    }
}
