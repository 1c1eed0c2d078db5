// swift-tools-version:6.1
import PackageDescription

/// Minhu (民呼): a suite of Swift services that runs a city's 12345 hotline.
/// Layout: see docs/architecture.md. Shared modules live in `Shared/`, executables in `Services/`.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Minhu",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "minhu", targets: ["MinhuAdmin"]),
        .executable(name: "minhu-intake", targets: ["MinhuIntake"]),
        .executable(name: "minhu-dispatcher", targets: ["MinhuDispatcher"]),
        .executable(name: "minhu-deadlines", targets: ["MinhuDeadlines"]),
        .executable(name: "minhu-supervision", targets: ["MinhuSupervision"]),
        .executable(name: "minhu-evaluation", targets: ["MinhuEvaluation"]),
        .executable(name: "minhu-reporting", targets: ["MinhuReporting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
    ],
    targets: [
        // MARK: Shared modules
        .systemLibrary(name: "CRabbitMQ", path: "Shared/CRabbitMQ", pkgConfig: "librabbitmq",
                       providers: [.apt(["librabbitmq-dev"])]),
        .target(name: "MinhuModels", path: "Shared/MinhuModels",
                resources: [.copy("Resources")], swiftSettings: strict),
        .target(name: "MinhuText", path: "Shared/MinhuText", swiftSettings: strict),
        .target(name: "MinhuMessaging",
                dependencies: ["CRabbitMQ", "MinhuModels", .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics")],
                path: "Shared/MinhuMessaging", swiftSettings: strict),
        .target(name: "MinhuStorage",
                dependencies: ["MinhuModels",
                               .product(name: "PostgresNIO", package: "postgres-nio"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                path: "Shared/MinhuStorage", resources: [.copy("Migrations")], swiftSettings: strict),
        .target(name: "MinhuService",
                dependencies: ["MinhuModels", "MinhuMessaging", "MinhuStorage", "MinhuText",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                               .product(name: "UnixSignals", package: "swift-service-lifecycle")],
                path: "Shared/MinhuService", swiftSettings: strict),

        // MARK: Services
        .executableTarget(name: "MinhuIntake", dependencies: ["MinhuService"], path: "Services/Intake",
                          swiftSettings: strict),
        .executableTarget(name: "MinhuDispatcher", dependencies: ["MinhuService", "MinhuText"],
                          path: "Services/Dispatcher", swiftSettings: strict),
        .executableTarget(name: "MinhuDeadlines", dependencies: ["MinhuService"], path: "Services/Deadlines",
                          swiftSettings: strict),
        .executableTarget(name: "MinhuSupervision", dependencies: ["MinhuService"], path: "Services/Supervision",
                          swiftSettings: strict),
        .executableTarget(name: "MinhuEvaluation", dependencies: ["MinhuService"], path: "Services/Evaluation",
                          swiftSettings: strict),
        .executableTarget(name: "MinhuReporting", dependencies: ["MinhuService"], path: "Services/Reporting",
                          swiftSettings: strict),
        .executableTarget(name: "MinhuAdmin",
                          dependencies: ["MinhuService", "MinhuText", "MinhuModels", "MinhuMessaging", "MinhuStorage",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "PostgresNIO", package: "postgres-nio"),
                                         .product(name: "Logging", package: "swift-log")],
                          path: "Services/Admin", swiftSettings: strict),

        // MARK: Tests
        .testTarget(name: "MinhuModelsTests", dependencies: ["MinhuModels"], path: "Tests/MinhuModelsTests",
                    swiftSettings: strict),
        .testTarget(name: "MinhuTextTests", dependencies: ["MinhuText"], path: "Tests/MinhuTextTests",
                    exclude: ["Fixtures"], swiftSettings: strict),
        // Integration tests against the real RabbitMQ and PostgreSQL; suites named `Fault…` stop, kill or freeze
        // private servers and run in a separate serial stage (scripts/test).
        .testTarget(name: "MinhuIntegrationTests",
                    dependencies: ["MinhuService", "MinhuMessaging", "MinhuStorage", "MinhuModels", "MinhuText",
                                   .product(name: "PostgresNIO", package: "postgres-nio"),
                                   .product(name: "Hummingbird", package: "hummingbird"),
                                   .product(name: "Logging", package: "swift-log"),
                                   .product(name: "Metrics", package: "swift-metrics"),
                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                    path: "Tests/MinhuIntegrationTests", swiftSettings: strict),
    ]
)
