import Foundation

/// minhu-intake's own settings, from the environment (docs/operations.md, "Configuration").
public struct IntakeSettings: Sendable {
    /// `MINHU_PUBLIC_BASE_URL`: where citizens reach the tracking view (default `http://127.0.0.1:<http port>`).
    public var publicBaseURL: URL
    /// `MINHU_INTAKE_MAX_BODY_BYTES`: larger request bodies get 413 (default 64 KiB).
    public var maxBodyBytes: Int

    /// `MINHU_JURISDICTION_ID`: Open311's jurisdiction_id (default `minhu`).
    public var jurisdiction: String
    /// `MINHU_INTAKE_MAX_WAITING`: `POST /v1/appeals` requests that may wait for the database at once; more get 503
    /// with Retry-After (default 5,000, about 2.5 s of this machine's throughput, ≤ 320 MiB of bodies).
    public var maxWaitingSubmissions: Int

    public init(publicBaseURL: URL, maxBodyBytes: Int = 64 * 1024, jurisdiction: String = "minhu",
                maxWaitingSubmissions: Int = 5_000) {
        self.publicBaseURL = publicBaseURL
        self.maxBodyBytes = maxBodyBytes
        self.jurisdiction = jurisdiction
        self.maxWaitingSubmissions = maxWaitingSubmissions
    }

    public static func fromEnvironment(_ environment: [String: String], httpPort: Int) throws -> IntakeSettings {
        let reader = EnvironmentReader(environment)
        let base = reader.optional("MINHU_PUBLIC_BASE_URL") ?? "http://127.0.0.1:\(httpPort)"
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigurationError(key: "MINHU_PUBLIC_BASE_URL", reason: "expected an http or https URL")
        }
        let maxBody = try reader.integer("MINHU_INTAKE_MAX_BODY_BYTES", default: 64 * 1024, range: 1024...16 * 1024 * 1024)
        let jurisdiction = reader.optional("MINHU_JURISDICTION_ID") ?? "minhu"
        let waiting = try reader.integer("MINHU_INTAKE_MAX_WAITING", default: 5_000, range: 1...1_000_000)
        return IntakeSettings(publicBaseURL: url, maxBodyBytes: maxBody, jurisdiction: jurisdiction,
                              maxWaitingSubmissions: waiting)
    }
}
