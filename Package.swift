// swift-tools-version: 6.0
import PackageDescription

// Top level is fixed: Sources/{API,Workers,Queue,AgentLoop,Common}. Each holds a library (the code)
// and thin executable folders next to it, so tests link the libraries and start servers in-process.
let package = Package(
    name: "brokkr",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "brokkr-api", targets: ["brokkr-api"]),
        .executable(name: "brokkr-webhooks", targets: ["brokkr-webhooks"]),
        .executable(name: "brokkr-workorders", targets: ["brokkr-workorders"]),
        .executable(name: "brokkr-audit", targets: ["brokkr-audit"]),
        .executable(name: "brokkr-cleanup", targets: ["brokkr-cleanup"]),
        .executable(name: "brokkr-agent", targets: ["brokkr-agent"]),
        .executable(name: "brokkr-kube-emulator", targets: ["brokkr-kube-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "BrokkrCommon",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/Common",
            exclude: ["Telemetry", "Runtime", "Templating", "JSONSchema"]
        ),
        // JSON Schema (draft 7 and 2020-12) validation with defaults, for template parameters.
        .target(name: "BrokkrJSONSchema", dependencies: ["BrokkrCommon"], path: "Sources/Common/JSONSchema"),
        // The Tera template engine, and stack templates: Tera content with JSON Schema parameters.
        .target(name: "BrokkrTemplating", dependencies: ["BrokkrCommon", "BrokkrJSONSchema"], path: "Sources/Common/Templating"),
        // The OpenTelemetry exporter each process starts from its `telemetry.*` settings; spans
        // themselves are made through swift-distributed-tracing, which needs no exporter.
        .target(
            name: "BrokkrTelemetry",
            dependencies: [
                "BrokkrCommon",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Common/Telemetry"
        ),
        // How every executable runs: `--config`, one service group with graceful shutdown, the probe and
        // metrics routes, loops that finish their work in flight on SIGTERM.
        .target(
            name: "BrokkrRuntime",
            dependencies: [
                "BrokkrCommon", "BrokkrTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Common/Runtime"
        ),
        .target(
            name: "BrokkrQueue",
            dependencies: [
                "BrokkrCommon",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/Queue"
        ),
        .target(
            name: "BrokkrAPI",
            dependencies: [
                "BrokkrCommon", "BrokkrQueue", "BrokkrRuntime", "BrokkrTemplating",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/API/Server",
            // The served OpenAPI document is compiled into the binary: no resource bundle to ship.
            resources: [.embedInCode("OpenAPI/brokkr-v1.openapi.json")]
        ),
        .executableTarget(
            name: "brokkr-api",
            dependencies: [
                "BrokkrAPI", "BrokkrRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/API/Executable"
        ),
        .target(
            name: "BrokkrWorkers",
            dependencies: [
                "BrokkrCommon", "BrokkrQueue", "BrokkrRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Workers/Shared"
        ),
        .executableTarget(name: "brokkr-webhooks", dependencies: ["BrokkrWorkers"], path: "Sources/Workers/brokkr-webhooks"),
        .executableTarget(name: "brokkr-workorders", dependencies: ["BrokkrWorkers"], path: "Sources/Workers/brokkr-workorders"),
        .executableTarget(name: "brokkr-audit", dependencies: ["BrokkrWorkers"], path: "Sources/Workers/brokkr-audit"),
        .executableTarget(name: "brokkr-cleanup", dependencies: ["BrokkrWorkers"], path: "Sources/Workers/brokkr-cleanup"),
        .target(
            name: "BrokkrAgent",
            dependencies: [
                "BrokkrCommon", "BrokkrRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/AgentLoop/Agent"
        ),
        .executableTarget(
            name: "brokkr-agent",
            dependencies: [
                "BrokkrAgent", "BrokkrRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/AgentLoop/Executable"
        ),
        // A Kubernetes API server emulator, for the agent's tests and local runs (no real cluster here).
        .target(
            name: "KubeEmulator",
            dependencies: [
                "BrokkrCommon",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/AgentLoop/KubeEmulator"
        ),
        .executableTarget(
            name: "brokkr-kube-emulator",
            dependencies: [
                "KubeEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/AgentLoop/KubeEmulatorExecutable"
        ),
        // Benchmark tools (bench/webhook-delivery.sh): an HTTP sink, and a no-op consumer of WorkQueue.
        // Executable targets without a declared product: `swift build --product` builds them, and the
        // image (which ships the declared products) leaves them out.
        .executableTarget(
            name: "brokkr-bench-sink",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "bench/Sink"
        ),
        .executableTarget(
            name: "brokkr-bench-queue",
            dependencies: ["BrokkrQueue", "BrokkrCommon", .product(name: "Logging", package: "swift-log")],
            path: "bench/QueueNoop"
        ),
        .testTarget(
            name: "KubeEmulatorTests",
            dependencies: ["KubeEmulator", "BrokkrCommon", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/KubeEmulatorTests"
        ),
        // Hostile-input bounds of the Common libraries (templates, YAML, JSON Schema), without the rest.
        .testTarget(
            name: "CommonBoundsTests", dependencies: ["BrokkrCommon", "BrokkrJSONSchema", "BrokkrTemplating"], path: "Tests/CommonBoundsTests"),
        // The official JSON Schema test suite (fetched by scripts/test.sh) and the validator's own cases.
        .testTarget(name: "JSONSchemaTests", dependencies: ["BrokkrCommon", "BrokkrJSONSchema"], path: "Tests/JSONSchemaTests"),
        .testTarget(name: "TemplatingTests", dependencies: ["BrokkrCommon", "BrokkrJSONSchema", "BrokkrTemplating"], path: "Tests/TemplatingTests"),
        .testTarget(
            name: "BrokkrTests",
            dependencies: [
                "BrokkrCommon", "BrokkrQueue", "BrokkrAPI", "BrokkrWorkers", "BrokkrAgent", "BrokkrTelemetry", "BrokkrRuntime", "BrokkrTemplating",
                "KubeEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/BrokkrTests",
            // Run by the readiness test with python3, found through #filePath.
            exclude: ["Support/blackhole_proxy.py"]
        ),
    ]
)
