import Foundation

/// The roles of API keys (DESIGN §8, docs/operations.md "API keys and roles"): one scheme for every service.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case agent
    case integrator
    case dispatcher
    case hotlineCentre = "hotline-centre"
    case supervisor
    case observer
    case expert
    case assessor
    case department

    /// The name users read.
    public var chineseName: String {
        switch self {
        case .agent: "话务员"
        case .integrator: "渠道接入方"
        case .dispatcher: "派单员"
        case .hotlineCentre: "热线中心"
        case .supervisor: "督办员"
        case .observer: "观察员"
        case .expert: "专家"
        case .assessor: "考核员"
        case .department: "承办单位"
        }
    }
}

/// Who a request acts as: the API key that authenticated it. Never holds the key itself.
public struct Principal: Sendable, Hashable {
    public var keyId: UUID
    public var name: String
    public var role: Role
    /// The integrator's channel (integrators only).
    public var channel: String?
    /// The department code (department keys only).
    public var department: String?

    public init(keyId: UUID, name: String, role: Role, channel: String? = nil, department: String? = nil) {
        self.keyId = keyId
        self.name = name
        self.role = role
        self.channel = channel
        self.department = department
    }

    /// An integrator may act only for its own channel; other roles are not restricted by channel here (their
    /// role check decides).
    public func mayActForChannel(_ channel: String) -> Bool {
        role == .integrator ? self.channel == channel : true
    }

    /// A department key may act only for its own department code; other roles are not restricted here.
    public func mayActForDepartment(_ department: String) -> Bool {
        role == .department ? self.department == department : true
    }

    /// The principal of the request being handled, set by `AuthMiddleware` around the rest of the chain.
    @TaskLocal public static var current: Principal?
}
