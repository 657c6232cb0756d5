import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Counts and times every request except /metrics, by the matched route's template (e.g.
/// `/api/v1/stacks/{id}/labels/{label}`), never the raw path: labels, keys and ids in paths would
/// otherwise make one time series per value.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = BrokkrRequestContext
    let metrics: BrokerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path != "/metrics" else { return try await next(request, context) }
        let start = ContinuousClock.now
        func record(_ status: Int) {
            let path = context.endpointPath ?? "unmatched"
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            metrics.recordHTTPRequest(path: path, method: request.method.rawValue, status: status, seconds: seconds)
        }
        do {
            let response = try await next(request, context)
            record(response.status.code)
            return response
        } catch let error as HTTPResponseError {
            record(error.status.code)
            throw error
        } catch {
            record(500)
            throw error
        }
    }
}
