import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// CORS from `[cors]` (origins and max-age hot-reloadable): `*` allows any origin; preflights are answered here.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = BrokkrRequestContext
    let config: ReloadableSettings

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let settings = config.value.cors
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowAll = settings.allowedOrigins.contains("*")
        guard allowAll || settings.allowedOrigins.contains(origin) else { return try await next(request, context) }
        if request.method == .options {
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = allowAll ? "*" : origin
            response.headers[.accessControlAllowMethods] = settings.allowedMethods.joined(separator: ", ")
            response.headers[.accessControlAllowHeaders] = settings.allowedHeaders.joined(separator: ", ")
            response.headers[.accessControlMaxAge] = String(settings.maxAgeSeconds)
            return response
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowAll ? "*" : origin
        return response
    }
}
