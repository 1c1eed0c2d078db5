import Foundation
import MinhuModels
@testable import MinhuService
import Testing

/// Which events of the log answer a clock, and from when (no database).
@Suite("Deadline event log: what answers a clock")
struct DeadlineEventLogTests {
    typealias Entry = DeadlineEventLog.Entry
    let t0 = Date(timeIntervalSince1970: 1_709_517_600)  // 2024-03-04 10:00 Shanghai

    func row(_ clock: DeadlineClock, attempt: Int = 1, resumedAt: Date? = nil) -> DeadlineClockRow {
        DeadlineClockRow(appealID: UUID(), round: 1, attempt: attempt, clock: clock, caseNumber: "T-1",
                         department: "water", policy: "p", limit: .workingDays(5), startedAt: t0, windowStart: t0,
                         dueAt: t0.addingTimeInterval(7 * 86_400), state: "running", pausedAt: nil, extensionsUsed: 0,
                         warningsEmitted: [], overdueEmitted: false, nextCheckAt: t0, resumedAt: resumedAt)
    }

    func entry(_ type: EventType, _ hours: Double, attempt: Int = 1) -> Entry {
        Entry(type: type, round: 1, attempt: attempt, occurredAt: t0.addingTimeInterval(hours * 3600))
    }

    @Test("a signature answers the sign-by clock only; a reply, a return or a close answer both")
    func stops() {
        #expect(DeadlineEventLog.answeredAt([entry(.appealSigned, 2)], row: row(.sign)) == t0.addingTimeInterval(7200))
        #expect(DeadlineEventLog.answeredAt([entry(.appealSigned, 2)], row: row(.reply)) == nil)
        for type in [EventType.appealReplied, .appealReturned, .appealClosed, .appealRejected] {
            #expect(DeadlineEventLog.answeredAt([entry(type, 3)], row: row(.reply)) == t0.addingTimeInterval(10_800))
            #expect(DeadlineEventLog.answeredAt([entry(type, 3)], row: row(.sign)) == t0.addingTimeInterval(10_800))
        }
        // The first answer counts.
        #expect(DeadlineEventLog.answeredAt([entry(.appealReplied, 5), entry(.appealClosed, 4)], row: row(.reply))
                == t0.addingTimeInterval(4 * 3600))
    }

    @Test("a co-department's signature, reply or return answers nothing; the lead's, or an event naming none, does")
    func coDepartment() {
        let at = t0.addingTimeInterval(7200)
        for type in [EventType.appealSigned, .appealReplied, .appealReturned] {
            let co = Entry(type: type, round: 1, attempt: 1, occurredAt: at, department: "power")
            let lead = Entry(type: type, round: 1, attempt: 1, occurredAt: at, department: "water")
            #expect(DeadlineEventLog.answeredAt([co], row: row(.sign)) == nil, "\(type)")
            #expect(DeadlineEventLog.answeredAt([lead], row: row(.sign)) == at, "\(type)")
        }
        #expect(DeadlineEventLog.answeredAt([entry(.appealClosed, 2)], row: row(.reply)) == at)
    }

    @Test("a later assignment's dispatch, return, close or rejection answers every earlier clock; its other events do not")
    func laterAssignment() {
        for type in [EventType.appealDispatched, .appealReturned, .appealClosed, .appealRejected] {
            #expect(DeadlineEventLog.answeredAt([entry(type, 2, attempt: 2)], row: row(.reply))
                    == t0.addingTimeInterval(7200))
        }
        for type in [EventType.appealReplied, .appealSigned, .appealAwaitingCitizen] {
            #expect(DeadlineEventLog.answeredAt([entry(type, 2, attempt: 2)], row: row(.sign)) == nil)
        }
        // Its own dispatch and earlier assignments' events answer nothing.
        #expect(DeadlineEventLog.answeredAt([entry(.appealDispatched, 0), entry(.appealClosed, 1, attempt: 0)],
                                            row: row(.reply)) == nil)
    }

    @Test("events of another assignment, resumes and progress reports answer nothing")
    func otherEvents() {
        #expect(DeadlineEventLog.answeredAt([entry(.appealReplied, 1, attempt: 2)], row: row(.reply)) == nil)
        #expect(DeadlineEventLog.answeredAt([entry(.appealSupplemented, 1), entry(.appealProgressed, 1)],
                                            row: row(.reply)) == nil)
    }

    @Test("a pause answers the clock unless the clock resumed after it (that pause was applied and answered)")
    func pauses() {
        let pause = entry(.appealAwaitingCitizen, 2)
        #expect(DeadlineEventLog.answeredAt([pause], row: row(.reply)) == pause.occurredAt)
        #expect(DeadlineEventLog.answeredAt([pause], row: row(.reply, resumedAt: t0.addingTimeInterval(3 * 3600))) == nil)
        #expect(DeadlineEventLog.answeredAt([pause], row: row(.reply, resumedAt: t0.addingTimeInterval(3600)))
                == pause.occurredAt)
    }
}
