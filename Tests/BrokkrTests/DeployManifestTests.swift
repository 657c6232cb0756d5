import BrokkrCommon
import Foundation
import XCTest

/// deploy/kubernetes renders with `kubectl kustomize` and validates offline against the Kubernetes
/// 1.32 schemas with `kubernetes-validate --strict` (installed by scripts/test.sh from PyPI).
final class DeployManifestTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) { try Command.run(arguments) }

    func render(_ overlay: String) throws -> String {
        let result = try Self.run(["kubectl", "kustomize", Self.root.appendingPathComponent("deploy/kubernetes/overlays/\(overlay)").path])
        XCTAssertEqual(result.status, 0, result.output)
        return result.output
    }

    func validate(_ yaml: String) throws -> (status: Int32, output: String) {
        let file = NSTemporaryDirectory() + "brokkr-manifests-\(UUID().uuidString).yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try Self.run(["kubernetes-validate", "-k", "1.32.0", "--strict", "--quiet", file])
    }

    func testOverlaysRenderAndValidate() throws {
        for overlay in ["dev", "prod"] {
            let yaml = try render(overlay)
            let result = try validate(yaml)
            XCTAssertEqual(result.status, 0, "\(overlay): \(result.output)")
            for name in ["brokkr-api", "brokkr-webhooks", "brokkr-workorders", "brokkr-audit", "brokkr-cleanup", "brokkr-agent"] {
                XCTAssertTrue(
                    yaml.contains("kind: Deployment\nmetadata:\n  labels:\n    app.kubernetes.io/name: \(name)")
                        || yaml.contains("name: \(name)\n  namespace:"), "\(overlay) lacks the \(name) Deployment")
                XCTAssertTrue(yaml.contains("/usr/local/bin/\(name)"), "\(overlay): \(name) has no entry point")
            }
            for kind in ["HorizontalPodAutoscaler", "Service", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap"] {
                XCTAssertTrue(yaml.contains("kind: \(kind)\n"), "\(overlay) lacks a \(kind)")
            }
            XCTAssertNil(YAMLDocuments.problem(in: yaml))
        }
        XCTAssertTrue(try render("dev").contains("namespace: brokkr-dev"))
        XCTAssertTrue(try render("prod").contains("minReplicas: 3"))
    }

    func testValidatorRejectsAnInvalidManifest() throws {
        let result = try validate("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: \"two\"\n")
        XCTAssertNotEqual(result.status, 0, "the validator must catch a wrongly typed field: \(result.output)")
    }
}
