import Foundation
import MinhuMessaging
import MinhuModels
import MinhuService
import Testing

/// Intake keeps accepting appeals over HTTP while RabbitMQ is stopped (DESIGN §5 rule 5); the events wait in the
/// outbox and flow once the broker is back.
@Suite("Fault: intake with the broker stopped", .enabled(if: TestDatabase.isConfigured))
struct FaultIntakeTests {
    @Test("with RabbitMQ stopped, POST /v1/appeals still answers 201; appeal.received is delivered after the restart")
    func acceptsWhileBrokerIsDown() async throws {
        let broker = try await PrivateBroker.start(port: 5796)
        do {
            try await IntakeHarness.run(amqpURL: broker.url) { intake in
                let agent = try await intake.key(.agent)
                try await broker.stop()
                var created: [String] = []
                for index in 0..<5 {
                    let response = try await intake.post(IntakeHarness.appealJSON(title: "停电 \(index)"), key: agent)
                    #expect(response.status == 201)
                    created.append(try MinhuJSON.decode(IdempotentSubmission.Answer.self, from: response.body).caseNumber)
                }
                #expect(try await intake.count("SELECT count(*) FROM appeals") == 5)
                #expect(try await intake.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 5)
                try await broker.start()
                try await expectEventually(timeout: .seconds(90), "the relay publishes the waiting events") {
                    let queued = try? await TopologyDeclarer.status(of: ["dispatcher.events"], url: broker.url)
                    return queued?["dispatcher.events"]?.messages == 5
                }
                // The relay marks the rows published after the broker's confirms, so just after the queue holds them.
                try await expectEventually(timeout: .seconds(30), "the relay marks the published rows") {
                    try await intake.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
                }
                #expect(Set(created).count == 5)
            }
        } catch {
            await broker.destroy()
            throw error
        }
        await broker.destroy()
    }
}
