import Foundation

/// A throw-away certificate authority made with the `openssl` command: a server certificate for
/// 127.0.0.1 and a client certificate signed by the CA, plus a client certificate of an unrelated CA.
/// Files live in `dir`, which goes with the object.
final class TestPKI: @unchecked Sendable {
    let dir: String
    var caCert: String { dir + "/ca.crt" }
    var serverCert: String { dir + "/server.crt" }
    var serverKey: String { dir + "/server.key" }
    var clientCert: String { dir + "/client.crt" }
    var clientKey: String { dir + "/client.key" }
    var strangerCert: String { dir + "/stranger.crt" }
    var strangerKey: String { dir + "/stranger.key" }

    init() throws {
        dir = NSTemporaryDirectory() + "brokkr-pki-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/certs", withIntermediateDirectories: true)
        try Self.openssl(
            in: dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=brokkr-test-ca")
        try Self.openssl(
            in: dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt",
            "-days", "2", "-subj", "/CN=someone-else")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n".write(
            toFile: dir + "/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: dir + "/client.ext", atomically: true, encoding: .utf8)
        try issue("server", subject: "/CN=127.0.0.1", ca: "ca", extensions: "server.ext")
        try issue("client", subject: "/O=system:masters/CN=brokkr-agent", ca: "ca", extensions: "client.ext")
        try issue("stranger", subject: "/CN=stranger", ca: "other-ca", extensions: "client.ext")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func issue(_ name: String, subject: String, ca: String, extensions: String) throws {
        try Self.openssl(in: dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject)
        try Self.openssl(
            in: dir, "x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).crt", "-CAkey", "\(ca).key", "-CAcreateserial",
            "-out", "\(name).crt", "-days", "2", "-extfile", extensions)
    }

    /// base64 of a file, as kubeconfig `…-data` fields hold it.
    func base64(_ path: String) throws -> String {
        try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()
    }

    static func openssl(in dir: String, _ arguments: String...) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            throw NSError(
                domain: "openssl", code: 127,
                userInfo: [NSLocalizedDescriptionKey: "/usr/bin/openssl is needed to make test certificates (scripts/test.sh installs it)"])
        }
        let (status, output) = try Command.run(["openssl"] + arguments, in: dir)
        guard status == 0 else {
            throw NSError(
                domain: "openssl", code: Int(status),
                userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")): \(output)"])
        }
    }
}
