// swift-tools-version:6.0
import PackageDescription

/// The tools, one product each, named as their binaries (the generate-manual plugin relies on it).
let tools = ["benji", "benji-diff", "benji-chunk", "benji-seal", "benji-put", "benji-catalog", "benji-write"]

let package = Package(
    name: "benji",
    products: tools.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, wrapped by the one module that owns each.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSystem"),

        // SIMD kernels of hot loops: the record stream's, and SHA-256 of two blocks at once.
        .target(name: "CBenjiKernels"),
        .target(name: "BenjiCore", dependencies: ["CCrypto", "CSystem", "CBenjiKernels"]),
        .target(name: "BenjiRecords", dependencies: ["BenjiCore", "CBenjiKernels"]),
        .target(name: "BenjiSource", dependencies: ["BenjiCore"]),
        .target(name: "BenjiChunking", dependencies: ["BenjiCore"]),
        .target(name: "BenjiCrypto", dependencies: ["BenjiCore", "CCrypto"]),
        .target(name: "BenjiSeal", dependencies: ["BenjiCore", "BenjiCrypto", "CZstd"]),
        .target(name: "BenjiStore", dependencies: ["BenjiCore", "CSystem"]),
        .target(name: "BenjiCatalog", dependencies: ["BenjiCore", "CSQLite"]),
        .target(name: "BenjiEngine", dependencies: [
            "BenjiCore", "BenjiRecords", "BenjiSource", "BenjiChunking", "BenjiSeal", "BenjiStore", "BenjiCatalog",
        ]),
        .target(name: "BenjiCLI", dependencies: [
            "BenjiCore", "BenjiRecords", "BenjiSource", "BenjiChunking", "BenjiSeal", "BenjiStore", "BenjiCatalog",
            "BenjiEngine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "BenjiTestSupport", dependencies: ["BenjiCore", "BenjiStore"], path: "Sources/BenjiTestSupport"),
    ]
        + tools.map { .executableTarget(name: $0, dependencies: ["BenjiCLI"], path: "Sources/Tools/\($0)") }
        + [
            .testTarget(name: "BenjiCoreTests", dependencies: ["BenjiCore"]),
            .testTarget(name: "BenjiRecordsTests", dependencies: ["BenjiRecords", "BenjiCore", "CBenjiKernels"]),
            .testTarget(name: "BenjiChunkingTests", dependencies: ["BenjiChunking", "BenjiCore"]),
            .testTarget(name: "BenjiSourceTests", dependencies: ["BenjiSource", "BenjiCore"]),
            .testTarget(name: "BenjiCryptoTests", dependencies: ["BenjiCrypto", "BenjiCore"]),
            .testTarget(name: "BenjiSealTests", dependencies: ["BenjiSeal", "BenjiCrypto", "BenjiCore"], resources: [.copy("Golden")]),
            .testTarget(name: "BenjiStoreTests", dependencies: ["BenjiStore", "BenjiTestSupport", "BenjiCore"]),
            .testTarget(name: "BenjiCatalogTests", dependencies: ["BenjiCatalog", "BenjiCore"]),
            .testTarget(name: "PipelineTests", dependencies: ["BenjiCore"]),
        ]
)
