import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore

/// The broker's own contract and an interactive page for it, unauthenticated as in Brokkr:
/// `GET /docs/openapi.json` is the document that describes this implementation (Brokkr's v0.4.2
/// contract plus the responses this implementation adds), `GET /swagger-ui` is Swagger UI over it.
/// Swagger UI's assets are served from a local folder (`broker.swagger_ui_dir`), never a CDN, so the
/// page works offline; `scripts/swagger-ui.sh DIR` installs them from PyPI's `swagger-ui-bundle`.
enum DocsRoutes {
    static let assets: [String: String] = [
        "swagger-ui-bundle.js": "application/javascript",
        "swagger-ui-standalone-preset.js": "application/javascript",
        "swagger-ui.css": "text/css",
    ]

    static func register(_ router: Router<BrokkrRequestContext>, _ s: BrokerServices) {
        let document = ByteBuffer(bytes: PackageResources.brokkr_v1_openapi_json)
        router.get("docs/openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
        let folder = assetFolder(s.config.value.broker.swaggerUIDir)
        router.get("swagger-ui") { _, _ -> Response in
            guard folder != nil else {
                throw APIError(.notFound, "Swagger UI's assets are not installed: run scripts/swagger-ui.sh DIR and set broker.swagger_ui_dir")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("swagger-ui/:asset") { _, context -> Response in
            let name = context.parameters.get("asset") ?? ""
            guard let folder, let type = assets[name],
                let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name))
            else {
                throw APIError(.notFound, "No such Swagger UI asset")
            }
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// The configured folder, or the first default that holds the bundle.
    static func assetFolder(_ configured: String?) -> String? {
        let executableDir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent().path
        let candidates = configured.map { [$0] } ?? ["\(executableDir)/swagger-ui", "/usr/share/brokkr/swagger-ui"]
        return candidates.first { FileManager.default.fileExists(atPath: "\($0)/swagger-ui-bundle.js") }
    }

    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Brokkr API</title>
          <link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="/swagger-ui/swagger-ui-bundle.js"></script>
          <script src="/swagger-ui/swagger-ui-standalone-preset.js"></script>
          <script>
            window.ui = SwaggerUIBundle({
              url: "/docs/openapi.json",
              dom_id: "#swagger-ui",
              deepLinking: true,
              persistAuthorization: true,
              presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
              layout: "StandaloneLayout"
            });
          </script>
        </body>
        </html>
        """
}
